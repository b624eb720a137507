using System.Reflection;

namespace SymbolicGrad.Generator.Tests.RedTeam;

/// <summary>
/// Backpropagation through time as a first draft writes it: <c>h[0] = h0</c> (the caller's initial state) and
/// <c>h[t + 1] = new double[H]</c>, then <c>h[t + 1][i] = ...</c>. Every row of h is in one alias class with h0, so the
/// write was refused as a possible write into the parameter (SG0018, a false positive reported by red-team rt-ml).
/// A row read right after the same index was given a new array, with nothing in between that may store another row,
/// is that new array (Analysis/FreshRows.cs). Where the index may differ, the write stays refused.
/// </summary>
public class FreshRowTests
{
    private const string Bptt = """
            [Differentiable]
            public static double States(double[] wx, double[] wh, [NoDerivative] double[] h0, [NoDerivative] double[] xs)
            {
                int T = xs.Length;
                var h = new double[T + 1][];
                h[0] = h0;
                for (int t = 0; t < T; t++)
                {
                    h[t + 1] = new double[1];
                    h[t + 1][0] = Math.Tanh(wx[0] * xs[t] + wh[0] * h[t][0]);
                }

                double loss = 0;
                for (int t = 1; t <= T; t++) loss += h[t][0];
                return loss;
            }

            [Differentiable]
            public static double LearnedInit(double[] wh, double[] h0, [NoDerivative] int T)
            {
                int H = h0.Length;
                var h = new double[T + 1][];
                h[0] = h0;
                for (int t = 0; t < T; t++)
                {
                    h[t + 1] = new double[H];
                    for (int i = 0; i < H; i++)
                    {
                        double a = 0;
                        for (int j = 0; j < H; j++) a += wh[i * H + j] * h[t][j];
                        h[t + 1][i] = Math.Tanh(a + 0.1);
                    }
                }

                double sum = 0;
                foreach (var v in h[T]) sum += v * v;
                return sum;
            }
        """;

    /// <summary>h₁ = tanh(u·x₀ + w·s), h₂ = tanh(u·x₁ + w·h₁), loss = h₁ + h₂: the closed form by the chain rule, and h0 left as it was.</summary>
    [Fact]
    public void BackpropagationThroughTimeFromADataInitialState()
    {
        var assembly = KnownBugs.Expect.Compiles(Harness.InClass(Bptt));
        double[] h0 = { 0.3 }, xs = { 0.7, -1.1 };
        var f = (DifferentiableFunction)assembly.GetType("Demo.C")!.GetMethod("StatesObjective")!.Invoke(null, new object[] { 1, 1, h0, xs })!;
        double u = 0.4, w = -0.8, s = h0[0];
        double h1 = Math.Tanh(u * xs[0] + w * s), h2 = Math.Tanh(u * xs[1] + w * h1);
        double d1 = 1 - h1 * h1, d2 = 1 - h2 * h2;
        double dh1 = 1 + d2 * w;
        double du = dh1 * d1 * xs[0] + d2 * xs[1];
        double dw = dh1 * d1 * s + d2 * h1;
        var g = new double[2];
        double value = f.ValueAndGradient(new[] { u, w }, g);
        Assert.Equal(h1 + h2, value, 14);
        Assert.Equal(du, g[0], 12);
        Assert.Equal(dw, g[1], 12);
        Assert.Equal(0.3, h0[0]);
        Assert.True(GradientCheck.Check(f, new[] { u, w }, KnownBugs.Expect.Tight).Passed);
    }

    /// <summary>The initial state differentiated too, stored as it is (no copy): its gradient flows through row 0.</summary>
    [Fact]
    public void BackpropagationThroughTimeFromALearnedInitialState()
    {
        var assembly = KnownBugs.Expect.Compiles(Harness.InClass(Bptt));
        var f = (DifferentiableFunction)assembly.GetType("Demo.C")!.GetMethod("LearnedInitObjective")!.Invoke(null, new object[] { 4, 2, 3 })!;
        double[] point = { 0.5, -0.3, 0.2, 0.9, 0.4, -0.6 };
        var check = GradientCheck.Check(f, point, KnownBugs.Expect.Tight);
        Assert.True(check.Passed, check.ToString());

        // One step by hand (T = 1, H = 1): h₁ = tanh(w·s + 0.1), loss = h₁²: ∂w = 2h₁(1 − h₁²)s, ∂s = 2h₁(1 − h₁²)w.
        var one = (DifferentiableFunction)assembly.GetType("Demo.C")!.GetMethod("LearnedInitObjective")!.Invoke(null, new object[] { 1, 1, 1 })!;
        double w = 0.7, s = -0.4, h1 = Math.Tanh(w * s + 0.1);
        var g = new double[2];
        one.ValueAndGradient(new[] { w, s }, g);
        Assert.Equal(2 * h1 * (1 - h1 * h1) * s, g[0], 13);
        Assert.Equal(2 * h1 * (1 - h1 * h1) * w, g[1], 13);
    }

    [Fact]
    public void ARowAtAnotherIndexMayStillBeTheParameter() => KnownBugs.Expect.Refused("""
            [Differentiable]
            public static double F(double[] p, [NoDerivative] double[] x, [NoDerivative] int k)
            {
                var h = new double[3][];
                h[0] = x;
                h[1] = new double[2];
                [|h[k][0]|] = p[0];
                return h[1][0] * p[1] + h[0][0];
            }
        """, "SG0018", "may be the parameter 'x'");

    [Fact]
    public void ARowStoredAgainBeforeTheWriteMayBeTheParameter() => KnownBugs.Expect.Refused("""
            [Differentiable]
            public static double F(double[] p, [NoDerivative] double[] x, [NoDerivative] int k)
            {
                var h = new double[3][];
                h[0] = new double[2];
                h[1] = new double[2];
                h[k] = new double[2];
                h[2] = x;
                [|h[k][0]|] = p[0];
                return h[1][0] * p[1] + h[0][0];
            }
        """, "SG0018", "may be the parameter 'x'");

    /// <summary>The index computed before a loop moved the variable it was computed from: the row written is j + 1 now, which may be x.</summary>
    [Fact]
    public void AnIndexFromAVariableALoopMovedIsNotTheSameRow() => KnownBugs.Expect.Refused("""
            [Differentiable]
            public static double F(double[] p, [NoDerivative] double[] x, [NoDerivative] int n)
            {
                var h = new double[5][];
                for (int r = 0; r < 5; r++) h[r] = x;
                int j = n;
                int k = j + 1;
                while (j < 3) j++;
                h[k] = new double[2];
                [|h[j + 1][0]|] = p[0];
                return h[k][0] * p[1];
            }
        """, "SG0018", "may be the parameter 'x'");
}
