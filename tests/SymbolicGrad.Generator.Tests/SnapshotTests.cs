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
        { "NestedGeneric", Harness.Usings + "namespace Demo.Deep;\npublic partial class Outer<T>\n{\n    internal partial struct Inner\n    {\n        [Differentiable] private static double Cube(double x) => x * x * x;\n    }\n}\n" },
    };

    [Theory]
    [MemberData(nameof(Methods))]
    public void GeneratedSourceMatchesSnapshot(string name, string source)
    {
        var run = Harness.Run(source);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationProblems);
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
