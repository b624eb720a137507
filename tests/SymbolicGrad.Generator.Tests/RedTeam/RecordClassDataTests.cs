using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// Red-team R (stop 37): a first draft's data type is a positional record class (record Pt(double X, double Y)).
/// Reading its properties worked, but deconstructing it (foreach (var (x, y) in data), var (x, y) = data[i]) and a
/// positional pattern on it (p is (&gt; 0, var y)) were SG0017; the record-struct versions were accepted. The compiler's
/// Deconstruct reads the properties its out parameters are named after, as data. Closed forms and centered differences.
/// </summary>
public class RecordClassDataTests
{
    private const string Types = "public record Pt(double X, double Y);\n";

    private static string Members(string method) => "using System.Linq;\nusing System.Collections.Generic;\n" + method
        + "\npublic static Pt[] Points() => new[] { new Pt(1, 2), new Pt(-1, 0.5), new Pt(2, -1) };";

    /// <summary>f = Σ (w·x − y)², ∂f/∂w = Σ 2(w·x − y)·x, over an array, by index and over a list.</summary>
    [Theory]
    [InlineData("foreach (var (x, y) in data) s += (w * x - y) * (w * x - y);", "Pt[]")]
    [InlineData("for (int i = 0; i < data.Length; i++) { var (x, y) = data[i]; s += (w * x - y) * (w * x - y); }", "Pt[]")]
    [InlineData("foreach (var (x, y) in data) s += (w * x - y) * (w * x - y);", "List<Pt>")]
    public void DeconstructingARecordClassOfData(string loop, string dataType)
    {
        var points = new[] { (X: 1.0, Y: 2.0), (X: -1.0, Y: 0.5), (X: 2.0, Y: -1.0) };
        double w = 0.7;
        double expected = points.Sum(p => 2 * (w * p.X - p.Y) * p.X);
        var assembly = Expect.Compiles(Expect.InClass(Members(
            "[Differentiable] public static double F(double w, [NoDerivative] " + dataType + " data) { double s = 0; " + loop + " return s; }"))
            .Replace("namespace Demo;", "namespace Demo;\n" + Types, StringComparison.Ordinal));
        var type = assembly.GetType("Demo.C")!;
        object data = type.GetMethod("Points")!.Invoke(null, null)!;
        if (dataType.StartsWith("List", StringComparison.Ordinal))
        {
            data = Activator.CreateInstance(typeof(List<>).MakeGenericType(data.GetType().GetElementType()!), data)!;
        }

        var objective = (DifferentiableFunction)type.GetMethod("FObjective")!.Invoke(null, new[] { data })!;
        var g = new double[1];
        objective.ValueAndGradient(new[] { w }, g);
        Assert.Equal(expected, g[0], 12);
        Assert.True(GradientCheck.Check(objective, new[] { w }).Passed);
    }

    /// <summary>f = Σ_{x &gt; 0} w²·y (+1 for each null): ∂f/∂w = 2w·Σ_{x &gt; 0} y; a positional pattern with a null check.</summary>
    [Fact]
    public void PositionalPatternOnARecordClassOfData()
    {
        var assembly = Expect.Compiles(Expect.InClass(Members(
            "[Differentiable] public static double F(double w, [NoDerivative] Pt?[] data) { double s = 0; foreach (var p in data) { if (p is (> 0, var y)) s += w * w * y; else if (p is null) s += 1; } return s; }"))
            .Replace("namespace Demo;", "namespace Demo;\n" + Types, StringComparison.Ordinal));
        var type = assembly.GetType("Demo.C")!;
        var points = (Array)type.GetMethod("Points")!.Invoke(null, null)!;
        var withNull = Array.CreateInstance(points.GetType().GetElementType()!, 4);
        Array.Copy(points, withNull, 3);
        var objective = (DifferentiableFunction)type.GetMethod("FObjective")!.Invoke(null, new object[] { withNull })!;
        var g = new double[1];
        double value = objective.ValueAndGradient(new[] { 0.7 }, g);
        Assert.Equal(0.49 * (2 - 1) + 1, value, 12);
        Assert.Equal(2 * 0.7 * (2 - 1), g[0], 12);
    }
}
