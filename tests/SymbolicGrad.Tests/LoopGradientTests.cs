namespace SymbolicGrad.Tests;

/// <summary>Loops, arrays and spans: every gradient component against numeric gradients, and closed forms where they exist.</summary>
public class LoopGradientTests
{
    private static readonly GradientCheckOptions Tight = new() { Richardson = true, AbsoluteTolerance = 1e-7, RelativeTolerance = 1e-6 };

    private static double[] Random(int n, int seed, double scale = 1, double shift = 0)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => shift + scale * (2 * rng.NextDouble() - 1)).ToArray();
    }

    private static void Check(DifferentiableFunction f, double[] x, Func<double[], double[]>? closedForm = null, GradientCheckOptions? options = null)
    {
        var result = GradientCheck.Check(f, x, options ?? Tight);
        Assert.True(result.Passed, result.ToString());
        if (closedForm is not null)
        {
            var g = new double[x.Length];
            f.ValueAndGradient(x, g);
            var expected = closedForm(x);
            for (int i = 0; i < x.Length; i++)
            {
                Assert.True(Math.Abs(g[i] - expected[i]) <= 1e-10 * (1 + Math.Abs(expected[i])), $"component {i}: {g[i]:R} vs closed form {expected[i]:R}");
            }
        }
    }

    private static double[] RosenbrockGradient(double[] x)
    {
        var g = new double[x.Length];
        for (int i = 0; i < x.Length - 1; i++)
        {
            double a = x[i + 1] - x[i] * x[i];
            g[i] += -400 * x[i] * a - 2 * (1 - x[i]);
            g[i + 1] += 200 * a;
        }

        return g;
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(100)]
    public void RosenbrockInNDimensions(int n)
    {
        var f = new DifferentiableFunction(n, p => L.Rosenbrock(p), (p, g) => L.RosenbrockGradient(p, g));
        Check(f, Random(n, n, 1.2), RosenbrockGradient);
        Check(f, Enumerable.Repeat(1.0, n).ToArray(), RosenbrockGradient);
    }

    [Fact]
    public void RosenbrockInTenThousandDimensions()
    {
        const int n = 10_000;
        var f = new DifferentiableFunction(n, p => L.Rosenbrock(p), (p, g) => L.RosenbrockGradient(p, g));
        // Plain centered differences: 20,000 evaluations of a 10,000-term sum. f is about 1e5 here, so rounding
        // alone puts ε·|f|/h ≈ 4e-6 of noise on every numeric component: the absolute tolerance is set from that,
        // and the closed form (checked to 1e-10) is the exact reference.
        var x = Random(n, 7, 1.2);
        double noise = 10 * Math.Pow(2, -52) * Math.Abs(L.Rosenbrock(x)) / NumericGradient.Step(1.0);
        Check(f, x, RosenbrockGradient, new GradientCheckOptions { AbsoluteTolerance = noise, RelativeTolerance = 1e-6 });
    }

    [Fact]
    public void MeanSquaredErrorOfALine()
    {
        var xs = Random(50, 1, 3);
        var ys = xs.Select((x, i) => 2 * x - 1 + 0.1 * Math.Sin(i)).ToArray();
        var f = new DifferentiableFunction(2, p => L.Mse(p[0], p[1], xs, ys), (p, g) => L.MseGradient(p[0], p[1], xs, ys, out g[0], out g[1]));
        Check(f, new[] { 0.3, -0.2 }, p => new[]
        {
            xs.Select((x, i) => 2 * (p[0] * x + p[1] - ys[i]) * x).Sum() / xs.Length,
            xs.Select((x, i) => 2 * (p[0] * x + p[1] - ys[i])).Sum() / xs.Length,
        });
    }

    [Theory]
    [InlineData(3, 20)]
    [InlineData(10, 40)]
    public void LogisticRegression(int d, int m)
    {
        var xs = Random(m * d, 2, 2);
        var labels = Random(m, 3).Select(v => v > 0 ? 1.0 : 0.0).ToArray();
        var f = new DifferentiableFunction(d + 1,
            p => L.LogisticRegression(p[..d], p[d], xs, labels),
            (p, g) => L.LogisticRegressionGradient(p[..d], p[d], xs, labels, g[..d], out g[d]));
        Check(f, Random(d + 1, 4, 0.5), p =>
        {
            var g = new double[d + 1];
            for (int i = 0; i < m; i++)
            {
                double z = p[d];
                for (int j = 0; j < d; j++)
                {
                    z += p[j] * xs[i * d + j];
                }

                double r = (1 / (1 + Math.Exp(-z)) - labels[i]) / m;
                for (int j = 0; j < d; j++)
                {
                    g[j] += r * xs[i * d + j];
                }

                g[d] += r;
            }

            return g;
        });
    }

    [Fact]
    public void SoftmaxCrossEntropyWithStableLogSumExp()
    {
        var f = new DifferentiableFunction(5, p => L.SoftmaxCrossEntropy(p, 2), (p, g) => L.SoftmaxCrossEntropyGradient(p, 2, g));
        Check(f, new[] { 0.5, -1.0, 2.0, 0.1, 3.0 }, z =>
        {
            double m = z.Max();
            var e = z.Select(v => Math.Exp(v - m)).ToArray();
            double s = e.Sum();
            return e.Select((v, i) => v / s - (i == 2 ? 1 : 0)).ToArray();
        });
        // Large logits: the stable form must not overflow.
        var g = new double[3];
        double value = L.SoftmaxCrossEntropyGradient(new[] { 1000.0, 999.0, 0.0 }, 0, g);
        Assert.True(double.IsFinite(value) && g.All(double.IsFinite));
    }

    [Fact]
    public void TwoLayerPerceptronWithAHiddenLayerInALocalArray()
    {
        const int inputs = 3, hidden = 4;
        var x = new[] { 0.5, -1.2, 0.8 };
        const double y = 0.3;
        int n = hidden * inputs + hidden + hidden + 1;
        var f = new DifferentiableFunction(n,
            p => L.Mlp(p[..12], p[12..16], p[16..20], p[20], x, y),
            (p, g) => L.MlpGradient(p[..12], p[12..16], p[16..20], p[20], x, y, g[..12], g[12..16], g[16..20], out g[20]));
        Check(f, Random(n, 5, 0.7));
        var heap = new DifferentiableFunction(n,
            p => L.MlpHeap(p[..12].ToArray(), p[12..16].ToArray(), p[16..20].ToArray(), p[20], x, y),
            (p, g) => L.MlpHeapGradient(p[..12].ToArray(), p[12..16].ToArray(), p[16..20].ToArray(), p[20], x, y, g[..12], g[12..16], g[16..20], out g[20]));
        var point = Random(n, 6, 0.7);
        Check(heap, point);
        Assert.Equal(f.Value(point), heap.Value(point));
    }

    [Fact]
    public void HornersRule()
    {
        var f = new DifferentiableFunction(5, p => L.Horner(p[..4], p[4]), (p, g) => L.HornerGradient(p[..4], p[4], g[..4], out g[4]));
        Check(f, new[] { 1.0, -2.0, 0.5, 3.0, 0.7 }, p =>
        {
            double x = p[4];
            return new[] { 1, x, x * x, x * x * x, p[1] + 2 * p[2] * x + 3 * p[3] * x * x };
        });
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(30)]
    public void LogisticMapIteratedNTimes(int n)
    {
        var f = new DifferentiableFunction(2, p => L.LogisticMap(p[0], p[1], n), (p, g) => L.LogisticMapGradient(p[0], p[1], n, out g[0], out g[1]));
        Check(f, new[] { 2.9, 0.3 }, p =>
        {
            // Forward-mode recurrence: x' = r x (1 − x), dx'/dr = x(1 − x) + r(1 − 2x) dx/dr, dx'/dx0 = r(1 − 2x) dx/dx0.
            double r = p[0], x = p[1], dr = 0, dx0 = 1;
            for (int i = 0; i < n; i++)
            {
                double slope = r * (1 - 2 * x);
                dr = x * (1 - x) + slope * dr;
                dx0 = slope * dx0;
                x = r * x * (1 - x);
            }

            return new[] { dr, dx0 };
        });
    }

    [Theory]
    [InlineData(2, 5, 10, 11)]
    [InlineData(10, 5, 20, 12)]
    public void GaussianMixtureObjective(int d, int k, int n, int seed)
    {
        int icfSize = d + d * (d - 1) / 2;
        var x = Random(n * d, seed, 2);
        int dim = k + k * d + k * icfSize;
        var f = new DifferentiableFunction(dim,
            p => L.Gmm(p[..k], p[k..(k + k * d)], p[(k + k * d)..], x, d, 1.0, 0),
            (p, g) => L.GmmGradient(p[..k], p[k..(k + k * d)], p[(k + k * d)..], x, d, 1.0, 0, g[..k], g[k..(k + k * d)], g[(k + k * d)..]));
        Check(f, Random(dim, seed + 100, 0.5), options: new GradientCheckOptions { Richardson = true, AbsoluteTolerance = 1e-6, RelativeTolerance = 1e-6 });
    }

    [Fact]
    public void LoopForms()
    {
        Check(new DifferentiableFunction(1, p => L.WhileLoop(p[0], 5), (p, g) => L.WhileLoopGradient(p[0], 5, out g[0])), new[] { 1.3 }, p => new[] { 5 * Math.Pow(p[0], 4) });
        Check(new DifferentiableFunction(1, p => L.DoWhileLoop(p[0]), (p, g) => L.DoWhileLoopGradient(p[0], out g[0])), new[] { 3.0 });
        Check(new DifferentiableFunction(6, p => L.BreakOnData(p, 3.5), (p, g) => L.BreakOnDataGradient(p, 3.5, g)), Random(6, 8),
            p => p.Select((v, i) => i < 4 ? Math.Cos(v) * (i + 1) : 0).ToArray());
        Check(new DifferentiableFunction(1, p => L.BreakOnValue(p[0]), (p, g) => L.BreakOnValueGradient(p[0], out g[0])), new[] { 0.37 });
        Check(new DifferentiableFunction(7, p => L.ContinueAndBranches(p), (p, g) => L.ContinueAndBranchesGradient(p, g)), Random(7, 9, 1.5),
            p => p.Select((v, i) => i % 3 == 1 ? 0 : v > 0 ? 2 * v : -Math.Exp(v)).ToArray());
        Check(new DifferentiableFunction(1, p => L.ReturnInsideLoop(p[0], 6), (p, g) => L.ReturnInsideLoopGradient(p[0], 6, out g[0])), new[] { 0.1 });
        Check(new DifferentiableFunction(1, p => L.ReturnInsideLoop(p[0], 6), (p, g) => L.ReturnInsideLoopGradient(p[0], 6, out g[0])), new[] { 0.9 });
        Check(new DifferentiableFunction(6, p => L.NestedLoops(p, 2), (p, g) => L.NestedLoopsGradient(p, 2, g)), Random(6, 10),
            p => p.Select(v => 2 * v / (1 + v * v)).ToArray());
        Check(new DifferentiableFunction(4, p => L.ForeachSquares(p.ToArray()), (p, g) => L.ForeachSquaresGradient(p.ToArray(), g)), Random(4, 11),
            p => p.Select(v => 3 * v * v).ToArray());
        Check(new DifferentiableFunction(7, p => L.StepTwo(p), (p, g) => L.StepTwoGradient(p, g)), Random(7, 12));
        Check(new DifferentiableFunction(5, p => L.ComputedIndices(p), (p, g) => L.ComputedIndicesGradient(p, g)), Random(5, 13));
        Check(new DifferentiableFunction(1, p => L.TwoCarriedValues(p[0], 6), (p, g) => L.TwoCarriedValuesGradient(p[0], 6, out g[0])), new[] { 0.8 });
        Check(new DifferentiableFunction(5, p => L.OverwrittenLocalArray(p), (p, g) => L.OverwrittenLocalArrayGradient(p, g)), Random(5, 14));
        Check(new DifferentiableFunction(4, p => L.CallsInLoop(p), (p, g) => L.CallsInLoopGradient(p, g)), Random(4, 15));
    }

    [Fact]
    public void RegressionsFromRandomPrograms()
    {
        Check(new DifferentiableFunction(1, p => L.CopyThenLoop(p[0]), (p, g) => L.CopyThenLoopGradient(p[0], out g[0])), new[] { 0.5 },
            p => new[] { 4 * p[0] + 2 }); // s = 2(y + 1), value = 2(y + 1)·y
        var early = new DifferentiableFunction(1, p => L.ArrayAfterEarlyReturn(p[0]), (p, g) => L.ArrayAfterEarlyReturnGradient(p[0], out g[0]));
        Check(early, new[] { 0.7 }, p => new[] { 12 * p[0] });
        Check(early, new[] { 3.0 }, p => new[] { 1.0 });
        Check(new DifferentiableFunction(5, p => L.ReturnAfterInnerLoop(p), (p, g) => L.ReturnAfterInnerLoopGradient(p, g)), new[] { 0.44, 0.62, 0.07, 0.04, 0.59 });
        var branch = new DifferentiableFunction(2, p => L.BranchOnOverwrittenElement(p[0], p[1]), (p, g) => L.BranchOnOverwrittenElementGradient(p[0], p[1], out g[0], out g[1]));
        Check(branch, new[] { 0.44, 0.62 });
        Check(branch, new[] { -0.3, 0.1 });
        // v = (1 + y)³ after three iterations, returned squared: 6(1 + y)⁵.
        Check(new DifferentiableFunction(1, p => L.InnerReturnEndsOuterBody(p[0], 2), (p, g) => L.InnerReturnEndsOuterBodyGradient(p[0], 2, out g[0])),
            new[] { 0.3 }, p => new[] { 6 * Math.Pow(1 + p[0], 5) });
        L.InnerReturnEndsOuterBodyGradient(5.0, 2, out double dReturned);
        Assert.Equal(1.0, dReturned);
    }

    [Fact]
    public void CallsPassingSpansToDifferentiableHelpers()
    {
        var dot = new DifferentiableFunction(6, p => L.Dot(p[..3], p[3..]), (p, g) => L.DotGradient(p[..3], p[3..], g[..3], g[3..]));
        Check(dot, new[] { 1.0, -2.0, 0.5, 0.3, 0.7, -1.1 }, p => new[] { p[3], p[4], p[5], p[0], p[1], p[2] });
        var norm = new DifferentiableFunction(4, p => L.ScaledNorm(p[0], p[1..]), (p, g) => L.ScaledNormGradient(p[0], p[1..], out g[0], g[1..]));
        Check(norm, new[] { 1.5, 3.0, -4.0, 0.0 }, p =>
        {
            double r = Math.Sqrt(p[1] * p[1] + p[2] * p[2] + p[3] * p[3]);
            return new[] { r, p[0] * p[1] / r, p[0] * p[2] / r, p[0] * p[3] / r };
        });
        var x = new[] { 0.5, -1.0, 2.0 };
        var labels = new[] { 1.0, 0.0, 1.0, 1.0 };
        var logistic = new DifferentiableFunction(4,
            p => L.LogisticWithHelpers(p[..3], p[3], x, labels),
            (p, g) => L.LogisticWithHelpersGradient(p[..3], p[3], x, labels, g[..3], out g[3]));
        Check(logistic, new[] { 0.2, -0.4, 0.1, 0.3 });
    }

    [Fact]
    public void ZeroIterationsGiveTheGradientOfTheInitialValue()
    {
        L.WhileLoopGradient(2.0, 0, out double d);
        Assert.Equal(0.0, d);
        L.LogisticMapGradient(3.0, 0.4, 0, out double dr, out double dx0);
        Assert.Equal((0.0, 1.0), (dr, dx0));
    }

    [Fact]
    public void FloatLoopsGetFloatGradients()
    {
        var x = new[] { 0.3f, -1.1f, 2.0f };
        var g = new float[3];
        L.FloatLoopGradient(x, g);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(Math.Cos(x[i]) * x[i] + Math.Sin(x[i]), g[i], 5);
        }
    }

    [Fact]
    public void OutputSpansAreCheckedAndCleared()
    {
        var x = new[] { 1.0, 2.0, 3.0 };
        var ex = Assert.Throws<ArgumentException>(() => L.RosenbrockGradient(x, new double[2]));
        Assert.Equal("dX", ex.ParamName);
        Assert.Contains("dX has length 2", ex.Message, StringComparison.Ordinal);
        var overlapping = new double[4];
        ex = Assert.Throws<ArgumentException>(() => L.RosenbrockGradient(overlapping.AsSpan(0, 3), overlapping.AsSpan(1, 3)));
        Assert.Contains("overlaps", ex.Message, StringComparison.Ordinal);
        var g = new[] { 99.0, 99.0, 99.0 };
        L.RosenbrockGradient(x, g);
        Assert.Equal(RosenbrockGradient(x), g);
    }

    [Fact]
    public void GradientsAllocateNothingInSteadyState()
    {
        var x = Random(100, 21, 1.2);
        var g = new double[100];
        var w1 = Random(12, 22);
        var b1 = Random(4, 23);
        var w2 = Random(4, 24);
        var input = new[] { 0.5, -1.2, 0.8 };
        var icf = Random(5 * 3, 25, 0.3);
        var alphas = Random(5, 26);
        var means = Random(10, 27);
        var data = Random(20, 28);
        var gw1 = new double[12];
        var gb1 = new double[4];
        var gw2 = new double[4];
        var ga = new double[5];
        var gm = new double[10];
        var gi = new double[15];

        void Run()
        {
            L.RosenbrockGradient(x, g);
            L.MlpGradient(w1, b1, w2, 0.1, input, 0.3, gw1, gb1, gw2, out _);
            L.GmmGradient(alphas, means, icf, data, 2, 1.0, 0, ga, gm, gi);
            L.LogisticMapGradient(3.1, 0.2, 50, out _, out _);
        }

        Run();
        Run();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            Run();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
