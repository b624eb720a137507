namespace SymbolicGrad.Generator.Tests;

/// <summary>The generated source of representative methods, approved as snapshots; each must also compile without warnings.</summary>
public class SnapshotTests
{
    public static TheoryData<string, string> Methods() => new()
    {
        { "Quadratic", Harness.InClass("    [Differentiable] public static double Loss(double w, double b) => (w - 3) * (w - 3) + 4 * b * b;") },
        { "SharedExp", Harness.InClass("    [Differentiable] public static double F(double x, double y) => Math.Exp(x * y) * Math.Sin(x) + Math.Exp(x * y) / y;") },
        { "IfElseMerge", Harness.InClass("    [Differentiable] public static double F(double x, double y)\n    {\n        double r = x;\n        if (x > y)\n        {\n            r = x * Math.Log(y);\n        }\n        else\n        {\n            r = y * y;\n        }\n\n        return r * x;\n    }") },
        { "EarlyReturn", Harness.InClass("    [Differentiable] public static double F(double x)\n    {\n        if (x < 0) return -x * x;\n        double s = Math.Sqrt(x);\n        if (s > 2) return s;\n        return s * x;\n    }") },
        { "Ternary", Harness.InClass("    [Differentiable] public static double Relu(double x) => x > 0 ? x : 0.01 * x;") },
        { "CallChain", Harness.InClass("    [Differentiable] public static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));\n    [Differentiable] public static double Model(double w, double b, [NoDerivative] double x) => Sigmoid(w * x + b);") },
        { "InstanceMembers", Harness.Usings + "namespace Demo;\npublic partial class Model\n{\n    private readonly double _scale = 2;\n    public double Bias { get; init; }\n    public const double Half = 0.5;\n    [Differentiable]\n    public double Predict(double w) => _scale * w * w + Bias * w + Half;\n}\n" },
        { "Kinks", Harness.InClass("    [Differentiable] public static double F(double x, double y) => Math.Abs(x) + Math.Max(x, y) + Math.Clamp(y, -1, 1);") },
        { "DataAndIntegers", Harness.InClass("    [Differentiable] public static double F(double w, int n, [NoDerivative] double target, bool square)\n    {\n        double p = w * n;\n        double e = p - target;\n        return square ? e * e : Math.Abs(e);\n    }") },
        { "SingleFloat", Harness.InClass("    [Differentiable] public static float F(float x, float y) => MathF.Tanh(x * y) + x / y;") },
        { "ThrowAndUsings", "using System;\nusing SymbolicGrad;\nusing static System.Math;\nnamespace Demo\n{\n    using System.Globalization;\n    public static partial class C\n    {\n        [Differentiable] public static double F(double x)\n        {\n            if (x <= 0) throw new ArgumentOutOfRangeException(nameof(x), x.ToString(CultureInfo.InvariantCulture));\n            return Log(x) * x;\n        }\n    }\n}\n" },
        { "LoopHorner", Harness.InClass("    [Differentiable] public static double Horner(ReadOnlySpan<double> c, double x)\n    {\n        double p = 0;\n        for (int i = c.Length - 1; i >= 0; i--)\n        {\n            p = p * x + c[i];\n        }\n\n        return p;\n    }") },
        { "LoopMseWithData", Harness.InClass("    [Differentiable] public static double Mse(double w, double b, [NoDerivative] double[] x, [NoDerivative] double[] y)\n    {\n        double sum = 0;\n        for (int i = 0; i < x.Length; i++)\n        {\n            double r = w * x[i] + b - y[i];\n            sum += r * r;\n        }\n\n        return sum / x.Length;\n    }") },
        { "LocalArrayAndBreak", Harness.InClass("    [Differentiable] public static double F(ReadOnlySpan<double> x, double limit)\n    {\n        Span<double> h = stackalloc double[x.Length];\n        for (int i = 0; i < x.Length; i++)\n        {\n            h[i] = Math.Tanh(x[i] * limit);\n        }\n\n        double s = 0;\n        foreach (double v in h)\n        {\n            if (s > limit) break;\n            s += v * v;\n        }\n\n        return s;\n    }") },
        { "GenericMath", "using System;\nusing System.Numerics;\nusing SymbolicGrad;\nnamespace Demo;\npublic static partial class C\n{\n    [Differentiable] public static T SoftPlus<T>(T x) where T : IFloatingPointIeee754<T> => T.Log(T.One + T.Exp(x)) * T.CreateChecked(0.5);\n}\n" },
        { "MatrixParameters", Harness.InClass("    [Differentiable] public static double Layer(double[,] W, double[][] V, [NoDerivative] double[] x)\n    {\n        double loss = 0;\n        for (int j = 0; j < W.GetLength(0); j++)\n        {\n            double a = 0;\n            for (int k = 0; k < x.Length; k++) a += W[j, k] * x[k];\n            loss += Math.Tanh(a);\n        }\n\n        foreach (var row in V)\n        {\n            for (int k = 0; k < row.Length; k++) loss += row[k] * row[k] * x[k];\n        }\n\n        return loss;\n    }") },
        { "NestedGeneric", Harness.Usings + "namespace Demo.Deep;\npublic partial class Outer<T>\n{\n    internal partial struct Inner\n    {\n        [Differentiable] private static double Cube(double x) => x * x * x;\n    }\n}\n" },
    };

    [Theory]
    [MemberData(nameof(Methods))]
    public void GeneratedSourceMatchesSnapshot(string name, string source)
    {
        var run = Harness.Run(source);
        Assert.Empty(run.GeneratorDiagnostics);
        // CS9202: generic math compiled as C# 12 against the .NET 10 reference assemblies (whose interfaces use
        // 'allows ref struct') is refused by the compiler; net8.0 consumers compile it (see SymbolicGrad.TestFunctions).
        Assert.DoesNotContain(run.CompilationProblems, d => d.Id != "CS9202");
        var text = string.Join("\n// ----\n", run.Sources.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => "// " + s.Key + "\n" + s.Value));
        Approvals.Verify(name, text);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void GenerationIsDeterministic(string name, string source)
    {
        var first = Harness.Run(source).Sources;
        var second = Harness.Run(source).Sources;
        Assert.Equal(first, second);
        Assert.All(first.Values, text => Assert.DoesNotContain("\r", text, StringComparison.Ordinal));
        Assert.NotEmpty(name);
    }
}

/// <summary>The README shows generated code; it must be what the generator writes today.</summary>
public class ReadmeExampleTests
{
    [Fact]
    public void TheHornerExampleInTheReadmeIsTheApprovedSnapshot()
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md")).Replace("\r\n", "\n");
        int start = readme.IndexOf("\npublic static double HornerGradient(", StringComparison.Ordinal) + 1;
        Assert.True(start > 0, "README.md no longer shows the generated HornerGradient");
        int end = readme.IndexOf("\n```", start, StringComparison.Ordinal);
        var shown = readme.Substring(start, end - start).Split('\n');

        // The snapshot prints the method inside a namespace and a class: 8 more spaces of indentation.
        var snapshot = File.ReadAllText(Path.Combine(RepositoryPaths.TestProject, "Snapshots", "LoopHorner.verified.cs")).Replace("\r\n", "\n").Split('\n');
        int first = Array.FindIndex(snapshot, l => l.Contains("static double HornerGradient(", StringComparison.Ordinal));
        Assert.True(first >= 0);
        var generated = snapshot.Skip(first).Take(shown.Length)
            .Select(l => l.Length >= 8 ? l.Substring(8) : l.TrimStart())
            .ToArray();
        // The README drops the namespace-qualified spans in the signature for readability; the body is verbatim.
        Assert.Equal(generated.Skip(1), shown.Skip(1));
    }
}

/// <summary>The tool version the generated code names is the generator's own (the package's) version.</summary>
public class GeneratedCodeVersionTests
{
    [Fact]
    public void GeneratedCodeAttributeNamesTheGeneratorsVersion()
    {
        var run = Harness.Run(Harness.InClass("[Differentiable] public static double F(double x) => x * x;"));
        var version = typeof(DifferentiableGenerator).Assembly.GetName().Version!.ToString(3);
        var source = Assert.Single(run.Sources.Values);
        Assert.Contains($"GeneratedCode(\"SymbolicGrad.Generator\", \"{version}\")", source, StringComparison.Ordinal);
    }
}
