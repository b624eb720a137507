using SymbolicGrad.Generator.Tests.KnownBugs;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// Red-team R (stop 37): a helper that returns a lazy query whose lambda reads the helper's parameter
/// (static IEnumerable&lt;double&gt; Scaled(double[] w, double s) =&gt; w.Select(v =&gt; v * s), a Normalize(xs, mean) as
/// first written) was SG0017 "read after it returned", with advice that cannot be followed for Select. The lambda now
/// keeps the helper's variables as they were when it returned, as a C# closure does; the same for a returned lambda
/// (Scaler(k) =&gt; v =&gt; k * v) and a curried one. A lambda that writes such a variable is refused (its writes would
/// persist between calls); that was SG9999 before. Closed forms and centered differences.
/// </summary>
public class HelperClosureTests
{
    private const string Helpers = """
        using System.Linq;
        using System.Collections.Generic;
        static IEnumerable<double> Scaled(double[] w, double s) => w.Select(v => v * s);
        static IEnumerable<double> Norm(double[] w, double mean) { double sd = 2; return w.Select(v => (v - mean) / sd).Where(z => z > -mean); }
        static Func<double, double> Scaler(double k) => v => k * v;
        """;

    /// <summary>Two lazy queries from one helper with different captured values, consumed after both calls: f = w₀·S·5S, S = Σw.</summary>
    [Fact]
    public void LazyQueriesKeepTheirOwnCapturedValues()
    {
        double[] w = { 1.5, -2.0, 1.25 };
        double sum = w.Sum();
        Expect.Gradient(Helpers + """
            [Differentiable] public static double F(double[] w)
            {
                var a = Scaled(w, w[0]);
                var b = Scaled(w, 5);
                return a.Sum() * b.Sum();
            }
            """, "F", w, new[] { 5 * sum * sum + 10 * w[0] * sum, 10 * w[0] * sum, 10 * w[0] * sum }, 3);
    }

    /// <summary>
    /// A normalization helper with a local and a filter: g = Σ_{(w_i − w₀)/2 &gt; −w₀} (w_i − w₀)/2. At w = (1.5, −2, 1.25)
    /// the filter keeps w₀ and w₂ (−w₀ = −1.5), so g = (w₂ − w₀)/2 and ∂g = (−½, 0, ½).
    /// </summary>
    [Fact]
    public void NormalizationHelperWithAFilter() => Expect.Gradient(Helpers + """
            [Differentiable] public static double F(double[] w) => Norm(w, w[0]).Sum();
            """, "F", new[] { 1.5, -2.0, 1.25 }, new[] { -0.5, 0.0, 0.5 }, 3);

    /// <summary>Returned and curried lambdas: f = w₀·w₁ + 2w₀ + 3w₀ + w₀·w₁ + 2w₀.</summary>
    [Fact]
    public void ReturnedAndCurriedLambdas() => Expect.Gradient(Helpers + """
            [Differentiable] public static double F(double[] w)
            {
                var f = Scaler(w[0]);
                var g = Scaler(2);
                Func<double, Func<double, double>> mul = a => b => a * b;
                return f(w[1]) + g(w[0]) + f(3) + mul(w[0])(w[1]) + mul(2)(w[0]);
            }
            """, "F", new[] { 1.5, -2.0 }, new[] { 2 * -2.0 + 2 + 3 + 2, 2 * 1.5 }, 2);

    [Fact]
    public void ALambdaWritingAVariableOfItsReturnedMakerIsRefused()
    {
        var run = Harness.Run(Harness.InClass("""
            static Func<double, double> Counter(double k) => v => { k += 1; return k * v; };
            [Differentiable] public static double F(double[] w) { var f = Counter(w[0]); return f(1) + f(1); }
            """));
        Assert.Contains(run.GeneratorDiagnostics, d => d.Id == "SG0017" && d.GetMessage().Contains("writes 'k'", StringComparison.Ordinal));
        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == "SG9999");
    }

    /// <summary>
    /// Red-team U: two lambdas sharing a helper's variable, returned as a tuple, were SG0017. f = x₀x₁ + 6(x₀ + x₁) + 3 +
    /// x₀ (the second call's lambdas keep m = 3): ∂f = (x₁ + 7, x₀ + 6).
    /// </summary>
    [Fact]
    public void LambdasReturnedInATupleShareTheirMakersVariable() => Expect.Gradient("""
            static (Func<double, double> Scale, Func<double, double> Shift) Pair(double m) => (v => m * v, v => m + v);
            [Differentiable] public static double F(double[] x)
            {
                var (a, b) = Pair(x[0]);
                var (c, d) = Pair(3);
                return a(x[1]) + b(x[1]) * c(2) + d(x[0]);
            }
            """, "F", new[] { 1.5, -2.0 }, new[] { -2.0 + 7, 1.5 + 6 }, 2);
}
