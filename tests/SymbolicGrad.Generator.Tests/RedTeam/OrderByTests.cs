using System.Reflection;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// OrderBy, OrderByDescending, Order and OrderDescending of numbers by a number: a median, a trimmed mean, the top k
/// (natural first drafts of robust losses, SG0006 before). The sort is stable, as Enumerable's is; each element's
/// derivative comes back from the place it was sorted to; the order itself, a function of the keys' values, is a
/// constant of the derivative (piecewise, as Math.Max is).
/// </summary>
public class OrderByTests
{
    /// <summary>The median of five is the element of rank 2: its gradient is 1 there, 0 elsewhere.</summary>
    [Fact]
    public void Median() => KnownBugs.Expect.Gradient("""
            using System.Linq;
            [Differentiable]
            public static double F(double[] w)
            {
                var sorted = w.OrderBy(v => v).ToArray();
                return sorted[sorted.Length / 2];
            }
        """, "F", new[] { 0.7, 1.3, 0.4, 0.9, -0.35 }, new[] { 1.0, 0.0, 0.0, 0.0, 0.0 }, 5);

    private const string TopKSource = """
            [Differentiable]
            public static double F(double[] w, [NoDerivative] double[] y)
            {
                var squared = w.Zip(y, (a, b) => (a - b) * (a - b));
                return squared.OrderByDescending(r => r).Skip(1).Take(3).Sum() + w.Order().First() * w.OrderDescending().ElementAt(1);
            }
        """;

    /// <summary>
    /// The sum of the three largest squared residuals after the largest, plus the smallest weight times the second
    /// largest. At w = (3, 1.2, 2, 1, 5), y = 0: the residuals 9, 1.44, 4, 1, 25 sort as w₄, w₀, w₂, w₁, w₃, so ranks 1..3
    /// are w₀, w₂, w₁; Order().First() is w₃, OrderDescending().ElementAt(1) is w₀. ∂w₀ = 6 + 1, ∂w₁ = 2.4, ∂w₂ = 4,
    /// ∂w₃ = 3, ∂w₄ = 0.
    /// </summary>
    [Fact]
    public void TopK() => KnownBugs.Expect.Gradient("using System.Linq;\n" + TopKSource, "F", new[] { 3.0, 1.2, 2.0, 1.0, 5.0 }, new[] { 7.0, 2.4, 4.0, 3.0, 0.0 }, 5, new double[5]);

    /// <summary>
    /// The same at w = (3, 1, 2, 1, 5), where w₁ and w₃ tie: the stable sort keeps them in source order (w₁ first), so
    /// the derivative goes to w₁ both in the descending residuals (rank 3 is w₁; w₃ is left out) and in Order().First().
    /// F = 14 + 1·3; ∂w₀ = 6 + 1, ∂w₁ = 2 + 3, ∂w₂ = 4, ∂w₃ = ∂w₄ = 0. (At a tie the function has a kink: no numeric check.)
    /// </summary>
    [Fact]
    public void TiesKeepTheSourceOrder()
    {
        var c = Compile(TopKSource);
        var f = (DifferentiableFunction)c.GetMethod("FObjective")!.Invoke(null, new object[] { 5, new double[5] })!;
        var g = new double[5];
        Assert.Equal(17.0, f.ValueAndGradient(new[] { 3.0, 1.0, 2.0, 1.0, 5.0 }, g));
        Assert.Equal(new[] { 7.0, 5.0, 4.0, 0.0, 0.0 }, g);
    }

    /// <summary>
    /// Elements sorted by a key that is not themselves, and indexes sorted by the weights: F = Σₖ (k + 1)·s[k]² over w
    /// sorted by |w − ½|, plus Σ i·w[i] over the indexes in descending order of w (a sum, whatever the order). At
    /// (0.7, 1.3, 0.4, 0.9, −0.35) the keys 0.2, 0.8, 0.1, 0.4, 0.85 give the order w₂, w₀, w₃, w₁, w₄.
    /// </summary>
    [Fact]
    public void ByAKeyAndIndexesByWeights() => KnownBugs.Expect.Gradient("""
            using System.Linq;
            [Differentiable]
            public static double F(double[] w)
            {
                double s = 0;
                int k = 0;
                foreach (var v in w.OrderBy(v => System.Math.Abs(v - 0.5))) { s += v * v * (k + 1); k++; }
                return s + Enumerable.Range(0, w.Length).OrderBy(i => -w[i]).Select(i => w[i] * i).Sum();
            }
        """, "F", new[] { 0.7, 1.3, 0.4, 0.9, -0.35 },
        new[] { (2 * 2 * 0.7) + 0, (2 * 4 * 1.3) + 1, (2 * 1 * 0.4) + 2, (2 * 3 * 0.9) + 3, (2 * 5 * -0.35) + 4 }, 5);

    /// <summary>After Where and Select: the largest kept element, and the mean of the two smallest doubled weights.</summary>
    [Fact]
    public void AfterWhereAndSelect() => KnownBugs.Expect.Gradient("""
            using System.Linq;
            [Differentiable]
            public static double F(double[] w) => w.Where(v => v > 0.2).OrderBy(v => v).Last() + w.Select(v => v * 2).OrderBy(v => v).Take(2).Average();
        """, "F", new[] { 0.7, 1.3, 0.4, 0.9, -0.35 }, new[] { 0.0, 1.0, 1.0, 0.0, 1.0 }, 5);

    /// <summary>
    /// The value is the method's bit for bit, NaN and signed zeros included: the default comparer puts NaN first and
    /// keeps −0 and +0 in their order (equal keys), so the median of (0.3, NaN, −0, +0, 0.1) is the +0.
    /// </summary>
    [Fact]
    public void NaNFirstAndSignedZerosInOrder()
    {
        var c = Compile("""
                [Differentiable]
                public static double F(double[] w) => w.OrderBy(v => v).ElementAt(2) + 1 / w.OrderBy(v => v).ElementAt(1);
            """);
        double[] w = { 0.3, double.NaN, -0.0, 0.0, 0.1 };
        double expected = (double)c.GetMethod("F")!.Invoke(null, new object[] { w })!;
        var f = (DifferentiableFunction)c.GetMethod("FObjective")!.Invoke(null, new object[] { 5 })!;
        double value = f.ValueAndGradient(w, new double[5]);
        Assert.Equal(double.NegativeInfinity, expected); // 1 / −0: the −0 is rank 1, before the +0
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(value));
    }

    /// <summary>With Hessian = true: the Hessian of Σ of the two largest cubes is diagonal, 6wᵢ on the two largest.</summary>
    [Fact]
    public void SecondOrder()
    {
        var c = Compile("""
                [Differentiable(Hessian = true)]
                public static double F(double[] w) => w.OrderByDescending(v => v).Take(2).Sum(v => v * v * v);
            """);
        var f = (DifferentiableFunction)c.GetMethod("FObjective")!.Invoke(null, new object[] { 3 })!;
        var hv = new double[3];
        f.HessianVectorProduct(new[] { 0.5, -2.0, 1.5 }, new[] { 1.0, 1.0, 1.0 }, hv);
        Assert.Equal(new[] { 3.0, 0.0, 9.0 }, hv);
    }

    /// <summary>Elements that are not numbers, a comparer and a second key are refused at the call, with a rewrite.</summary>
    [Fact]
    public void AComparerIsRefused() => KnownBugs.Expect.Refused("""
            [Differentiable]
            public static double F(double[] w) => System.Linq.Enumerable.First([|System.Linq.Enumerable.OrderBy(w, v => v, System.Collections.Generic.Comparer<double>.Default)|]);
        """, "SG0006", "with a comparer", "sort by a key of numbers");

    [Fact]
    public void ASecondKeyIsRefused() => KnownBugs.Expect.Refused("""
            [Differentiable]
            public static double F(double[] w) => System.Linq.Enumerable.First([|System.Linq.Enumerable.ThenBy(System.Linq.Enumerable.OrderBy(w, v => System.Math.Round(v)), v => v)|]);
        """, "SG0006", "ThenBy", "sort by one key");

    private static Type Compile(string members) =>
        KnownBugs.Expect.Compiles(KnownBugs.Expect.InClass("using System.Linq;\n" + members)).GetType("Demo.C")!;
}
