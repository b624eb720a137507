using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using SymbolicGrad.Generator.Diagnostics;

namespace SymbolicGrad.Generator.Tests;

/// <summary>One test per diagnostic ID: reported as an error, at the exact node marked [| |], and no gradient generated.</summary>
public class DiagnosticTests
{
    private static void AssertReported(string id, string markedSource, string? messageContains = null, int otherSources = 0)
    {
        int start = markedSource.IndexOf("[|", StringComparison.Ordinal);
        int end = markedSource.IndexOf("|]", StringComparison.Ordinal) - 2;
        Assert.True(start >= 0 && end >= start, "mark the expected node with [| |]");
        string source = markedSource.Replace("[|", string.Empty).Replace("|]", string.Empty);
        var run = Harness.Run(source);
        var matching = run.GeneratorDiagnostics.Where(d => d.Id == id).ToList();
        Assert.True(matching.Count == 1, $"expected one {id}, got: {string.Join("\n", run.GeneratorDiagnostics)}");
        var d = matching[0];
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Equal(TextSpan.FromBounds(start, end), d.Location.SourceSpan);
        Assert.False(string.IsNullOrWhiteSpace(d.GetMessage()));
        if (messageContains is not null)
        {
            Assert.Contains(messageContains, d.GetMessage(), StringComparison.Ordinal);
        }

        Assert.Equal(otherSources, run.Sources.Count);
        Assert.DoesNotContain(run.GeneratorDiagnostics, x => x.Id == "CS8785");
    }

    private static string In(string members) => Harness.InClass(members);

    [Fact]
    public void SG0001_ContainingTypeNotPartial() => AssertReported("SG0001",
        Harness.Usings + "public static class [|Losses|]\n{\n    [Differentiable] public static double F(double x) => x * x;\n}\n", "partial");

    [Fact]
    public void SG0001_OuterTypeNotPartial() => AssertReported("SG0001",
        Harness.Usings + "public class [|Outer|]\n{\n    public static partial class Inner\n    {\n        [Differentiable] public static double F(double x) => x;\n    }\n}\n", "Outer");

    [Fact]
    public void SG0002_NonFloatingReturnType() => AssertReported("SG0002",
        In("    [Differentiable] public static [|int|] F(double x) => (int)x;"), "int");

    [Fact]
    public void SG0003_AsyncMethod() => AssertReported("SG0003",
        In("    [Differentiable] public static [|async|] System.Threading.Tasks.Task<double> F(double x) { await System.Threading.Tasks.Task.Yield(); return x; }"), "async");

    [Fact]
    public void SG0004_RefParameter() => AssertReported("SG0004",
        In("    [Differentiable] public static double F([|ref double x|]) => x * x;"), "ref");

    [Fact]
    public void SG0004_OutAndInParameters()
    {
        AssertReported("SG0004", In("    [Differentiable] public static double F(double x, [|out double y|]) { y = 1; return x; }"), "out");
        AssertReported("SG0004", In("    [Differentiable] public static double F([|in double x|]) => x;"), "in");
    }

    [Fact]
    public void SG0005_NoBody() => AssertReported("SG0005",
        Harness.Usings + "public abstract partial class A\n{\n    [Differentiable] public abstract double [|F|](double x);\n}\n");

    [Fact]
    public void SG0006_GenericMethodNotSupportedYet() => AssertReported("SG0006",
        In("    [Differentiable] public static double F[|<T>|](double x) => x;"));

    [Fact]
    public void SG0006_JaggedOrRectangularParameterThatIsNotData()
    {
        AssertReported("SG0006", In("    [Differentiable] public static double F(double x, double[][] [|w|]) => x * w[0][0];"), "[NoDerivative]");
        AssertReported("SG0006", In("    [Differentiable] public static double F(double x, double[,] [|w|]) => x * w[0, 0];"), "double[,]");
    }

    [Fact]
    public void SG0017_IndexFromEndOnData() => AssertReported("SG0017",
        In("    [Differentiable] public static double F(double w, [NoDerivative] double[] xs) => w * [|xs[^1]|];"), "index-from-end");

    [Fact]
    public void SG0006_LocalArrayArgumentToADifferentiableCallNotSupportedYet() => AssertReported("SG0006",
        In("    [Differentiable] public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b) { double s = 0; for (int i = 0; i < a.Length; i++) s += a[i] * b[i]; return s; }\n    [Differentiable] public static double F(double x)\n    {\n        double[] w = new double[2];\n        w[0] = x;\n        return [|Dot(w, w)|];\n    }"), "local array", otherSources: 1);

    [Fact]
    public void SG0006_ArrayCreatedInsideALoop() => AssertReported("SG0006",
        In("    [Differentiable] public static double F(double x)\n    {\n        double s = 0;\n        for (int i = 0; i < 3; i++)\n        {\n            double[] t = [|new double[2]|];\n            t[0] = x;\n            s += t[0];\n        }\n\n        return s;\n    }"), "loop");

    [Fact]
    public void SG0016_RealValuedForIncrement() => AssertReported("SG0016",
        In("    [Differentiable] public static double F(double x)\n    {\n        double s = 0;\n        for (int i = 0; i < 3; [|s += x|])\n        {\n            i++;\n        }\n\n        return s;\n    }"), "increment");

    [Fact]
    public void SG0018_WriteIntoAnInputArray() => AssertReported("SG0018",
        In("    [Differentiable] public static double F(double[] x)\n    {\n        [|x[0]|] = 2;\n        return x[0] * x[1];\n    }"), "array");

    [Fact]
    public void SG0007_OutputNameCollision() => AssertReported("SG0007",
        In("    [Differentiable] public static double F(double x, double [|dX|]) => x * dX;"), "dX");

    [Fact]
    public void SG0010_TryCatch() => AssertReported("SG0010",
        In("    [Differentiable] public static double F(double x)\n    {\n        [|try { x = x * 2; } catch (Exception) { x = 0; }|]\n        return x;\n    }"), "try");

    [Fact]
    public void SG0011_Lock() => AssertReported("SG0011",
        In("    private static readonly object Gate = new();\n    [Differentiable] public static double F(double x)\n    {\n        [|lock (Gate) { x = x * 2; }|]\n        return x;\n    }"), "lock");

    [Fact]
    public void SG0012_Goto() => AssertReported("SG0012",
        In("    [Differentiable] public static double F(double x)\n    {\n        if (x > 0) [|goto done;|]\n        x = -x;\n    done:\n        return x;\n    }"), "goto");

    [Fact]
    public void SG0013_Dynamic() => AssertReported("SG0013",
        In("    [Differentiable] public static double F(double x, dynamic scale) => x * [|scale|];"), "dynamic");

    [Fact]
    public void SG0014_DelegateInvocation() => AssertReported("SG0014",
        In("    [Differentiable] public static double F(double x, [NoDerivative] Func<double, double> g) => [|g(x)|];"), "delegate");

    [Fact]
    public void SG0014_LambdaCreation() => AssertReported("SG0014",
        In("    [Differentiable] public static double F(double x)\n    {\n        Func<double, double> g = [|v => v * v|];\n        return x;\n    }"), "delegate");

    [Fact]
    public void SG0014_LocalFunction() => AssertReported("SG0014",
        In("    [Differentiable] public static double F(double x)\n    {\n        return [|Sq(x)|];\n        static double Sq(double v) => v * v;\n    }"), "local function");

    [Fact]
    public void SG0015_CallWithoutKnownDerivative() => AssertReported("SG0015",
        In("    public static double Helper(double v) => v * v;\n    [Differentiable] public static double F(double x) => 1 + [|Helper(x)|];"), "Helper");

    [Fact]
    public void SG0015_BclMethodOutsideTheTable() => AssertReported("SG0015",
        In("    [Differentiable] public static double F(double x) => [|Math.ScaleB(x, 2)|];"), "ScaleB");

    [Fact]
    public void SG0016_SwitchStatement() => AssertReported("SG0016",
        In("    [Differentiable] public static double F(double x, int k)\n    {\n        [|switch (k) { case 1: x = x * 2; break; default: break; }|]\n        return x;\n    }"), "switch");

    [Fact]
    public void SG0017_AssignmentInsideExpression() => AssertReported("SG0017",
        In("    [Differentiable] public static double F(double x)\n    {\n        double y;\n        double z = 1 + ([|y = x * 2|]);\n        return z + y;\n    }"));

    [Fact]
    public void SG0017_ObjectCreation() => AssertReported("SG0017",
        In("    [Differentiable] public static double F(double x) => [|(x, 2.0)|].Item1;"));

    [Fact]
    public void SG0018_WriteToField() => AssertReported("SG0018",
        In("    private static double _last;\n    [Differentiable] public static double F(double x)\n    {\n        [|_last|] = x;\n        return x * x;\n    }"), "_last");

    [Fact]
    public void SG0019_TooManyPaths()
    {
        // Each if has a return in both branches' nested ifs, so the code after it is copied into both: 2^16 copies.
        var body = new System.Text.StringBuilder();
        for (int i = 0; i < 16; i++)
        {
            body.Append("        if (x > " + i + ") { if (x > 100) return 1; } else { if (x < -100) return 2; }\n        x = x * 1.5;\n");
        }

        string source = Harness.InClass("    [Differentiable] public static double [|F|](double x)\n    {\n" + body + "        return x;\n    }");
        int start = source.IndexOf("[|", StringComparison.Ordinal);
        var run = Harness.Run(source.Replace("[|", string.Empty).Replace("|]", string.Empty));
        var d = Assert.Single(run.GeneratorDiagnostics, x => x.Id == "SG0019");
        Assert.Equal(start, d.Location.SourceSpan.Start);
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void SG9999_InternalErrorsAreDiagnosticsNotExceptions()
    {
        // No input is known to fail; check the descriptor the generator falls back on when one does.
        var descriptor = DiagnosticDescriptors.ById("SG9999");
        Assert.Equal(DiagnosticSeverity.Error, descriptor.DefaultSeverity);
        Assert.Contains("report", descriptor.MessageFormat.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void EveryDiagnosticIsDocumentedAndTracked()
    {
        string root = RepositoryPaths.Root;
        string docs = File.ReadAllText(Path.Combine(root, "docs", "diagnostics.md"));
        string releases = File.ReadAllText(Path.Combine(root, "src", "Generator", "AnalyzerReleases.Unshipped.md"));
        foreach (var d in DiagnosticDescriptors.All)
        {
            Assert.Contains("## " + d.Id, docs, StringComparison.Ordinal);
            Assert.Contains(d.Id + " |", releases, StringComparison.Ordinal);
            Assert.EndsWith("#" + d.Id.ToLowerInvariant(), d.HelpLinkUri, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void SeveralProblemsInOneMethodAreAllReported()
    {
        var run = Harness.Run(In("    public static double H(double v) => v;\n    [Differentiable] public static double F(double x)\n    {\n        double a = H(x);\n        lock (typeof(C)) { a = a * 2; }\n        return a + H(a);\n    }"));
        Assert.Equal(2, run.GeneratorDiagnostics.Count(d => d.Id == "SG0015"));
        Assert.Single(run.GeneratorDiagnostics, d => d.Id == "SG0011");
    }

    [Fact]
    public void ABadMethodDoesNotStopItsNeighbours()
    {
        var run = Harness.Run(In("    public static double H(double v) => v;\n    [Differentiable] public static double Bad(double x) => H(x);\n    [Differentiable] public static double Good(double x) => x * x;"));
        Assert.Single(run.GeneratorDiagnostics, d => d.Id == "SG0015");
        Assert.Single(run.Sources);
        Assert.Contains("GoodGradient", run.Sources.Values.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void CodeThatDoesNotCompileGetsNoExtraDiagnostics()
    {
        var run = Harness.Run(In("    [Differentiable] public static double F(double x) => x * undefinedName;"));
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.Sources);
    }
}
