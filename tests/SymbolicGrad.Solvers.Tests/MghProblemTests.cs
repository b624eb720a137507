using SymbolicGrad.TestProblems;

namespace SymbolicGrad.Solvers.Tests;

/// <summary>The three forms of every Moré–Garbow–Hillstrom problem agree with each other and with finite differences.</summary>
public class MghProblemTests
{
    public static TheoryData<int> Numbers()
    {
        var data = new TheoryData<int>();
        foreach (var p in Mgh.All)
        {
            data.Add(p.Number);
        }

        return data;
    }

    /// <summary>The starting point and a deterministic perturbation of it (so that no test sits on a symmetric point).</summary>
    internal static IEnumerable<double[]> Points(MghProblem p)
    {
        var start = p.Start;
        yield return start;
        var random = new Random(1000 + p.Number);
        var moved = new double[p.N];
        for (int j = 0; j < p.N; j++)
        {
            moved[j] = start[j] + (0.1 * Math.Max(1, Math.Abs(start[j])) * ((2 * random.NextDouble()) - 1));
        }

        yield return moved;
    }

    [Fact]
    public void TheSetHasAll35ProblemsInThePapersOrder()
    {
        Assert.Equal(Enumerable.Range(1, 35), Mgh.All.Select(p => p.Number));
        Assert.All(Mgh.All, p => Assert.Equal(p.N, p.Start.Length));
        Assert.All(Mgh.All, p => Assert.True(p.M >= p.N, p.Label));
    }

    [Theory]
    [MemberData(nameof(Numbers))]
    public void HandJacobianMatchesCenteredDifferences(int number)
    {
        var p = Mgh.ByNumber(number);
        // Osborne 1 needs a step 100 times smaller than the default: its exponents tᵢx₄ have tᵢ up to 320, so the
        // default step (ε^⅕ ≈ 7e-4) moves them by 0.2 and the truncation error shows. (Elsewhere the default is
        // better: Brown badly scaled has residuals near 10⁶, whose rounding a smaller step would magnify.)
        var options = new GradientCheckOptions
        {
            Richardson = true, AbsoluteTolerance = 1e-6, RelativeTolerance = 1e-6, StepScale = number == 17 ? 0.01 : 1,
        };
        foreach (var x in Points(p))
        {
            var check = GradientCheck.CheckJacobian(p.LeastSquares(), x, options);
            Assert.True(check.Passed, check.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(Numbers))]
    public void HandCurvatureMatchesDifferencesOfTheHandJacobian(int number)
    {
        // Σ wᵢ∇²rᵢ·v = d/dt [J(x + tv)ᵀw] at t = 0, by a centered difference in t of the hand-written Jacobian.
        var p = Mgh.ByNumber(number);
        var random = new Random(number);
        foreach (var x in Points(p))
        {
            var w = Enumerable.Range(0, p.M).Select(_ => (2 * random.NextDouble()) - 1).ToArray();
            var v = Enumerable.Range(0, p.N).Select(_ => (2 * random.NextDouble()) - 1).ToArray();
            var exact = new double[p.N];
            p.Curvature(x, w, v, exact);

            double scale = x.Max(Math.Abs);
            double h = 1e-4 * Math.Max(1, scale);
            var up = JacobianTransposeTimes(p, Shift(x, v, h), w);
            var down = JacobianTransposeTimes(p, Shift(x, v, -h), w);
            var up2 = JacobianTransposeTimes(p, Shift(x, v, h / 2), w);
            var down2 = JacobianTransposeTimes(p, Shift(x, v, -h / 2), w);
            for (int k = 0; k < p.N; k++)
            {
                double coarse = (up[k] - down[k]) / (2 * h);
                double fine = (up2[k] - down2[k]) / h;
                double numeric = ((4 * fine) - coarse) / 3;
                Assert.True(Math.Abs(exact[k] - numeric) <= 1e-6 * (1 + Math.Abs(numeric)),
                    $"{p.Label}: component {k}: hand {exact[k]:R}, numeric {numeric:R}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Numbers))]
    public void GeneratedGradientOfTheNaturalFormIsTwiceJTransposeR(int number)
    {
        var p = Mgh.ByNumber(number);
        var generated = p.GeneratedObjective();
        foreach (var x in Points(p))
        {
            var expected = new double[p.N];
            double f = p.ValueAndGradient(x, expected);
            var actual = new double[p.N];
            double value = generated.ValueAndGradient(x, actual);
            Assert.True(Math.Abs(value - f) <= 1e-12 * Math.Max(1, Math.Abs(f)), $"{p.Label}: generated value {value:R}, hand {f:R}");
            Assert.Equal(generated.Value(x), value);
            double norm = Math.Sqrt(expected.Sum(g => g * g));
            for (int k = 0; k < p.N; k++)
            {
                Assert.True(Math.Abs(actual[k] - expected[k]) <= 1e-10 * Math.Max(1, norm),
                    $"{p.Label}: ∂f/∂x[{k}] generated {actual[k]:R}, 2Jᵀr {expected[k]:R}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Numbers))]
    public void NaturalResidualFormMatchesTheHandResiduals(int number)
    {
        var p = Mgh.ByNumber(number);
        foreach (var x in Points(p))
        {
            var hand = new double[p.M];
            var natural = new double[p.M];
            p.Residuals(x, hand);
            p.ResidualForm(x, natural);
            for (int i = 0; i < p.M; i++)
            {
                Assert.True(Math.Abs(hand[i] - natural[i]) <= 1e-12 * Math.Max(1, Math.Abs(hand[i])), $"{p.Label}: r[{i}] {natural[i]:R} vs {hand[i]:R}");
            }
        }
    }

    [Theory]
    [InlineData(32, 5, 10)]
    [InlineData(33, 5, 10)]
    [InlineData(34, 5, 10)]
    public void LinearProblemsReachTheirClosedFormMinimum(int number, int n, int m)
    {
        // The linear problems' minima have closed forms: check the published value where the paper puts it.
        var p = Mgh.ByNumber(number);
        Assert.Equal((n, m), (p.N, p.M));
        double[] x = number switch
        {
            32 => Enumerable.Repeat(-1.0, n).ToArray(),
            33 => [3.0 / ((2 * m) + 1), 0, 0, 0, 0],
            _ => [0, 3.0 / ((2 * m) - 3) / 2, 0, 0, 0],
        };
        Assert.Equal(p.Minimum.Value, p.Value(x), 12);
    }

    [Fact]
    public void KnownSolutionsHaveZeroResiduals()
    {
        // Points the paper gives exactly, where f = 0.
        (int Number, double[] X)[] solutions =
        [
            (1, [1, 1]), (2, [5, 4]), (4, [1e6, 2e-6]), (5, [3, 0.5]), (7, [1, 0, 0]), (11, [50, 25, 1.5]), (12, [1, 10, 1]),
            (13, [0, 0, 0, 0]), (14, [1, 1, 1, 1]), (18, [1, 10, 1, 5, 4, 3]), (21, Enumerable.Repeat(1.0, 10).ToArray()),
            (25, Enumerable.Repeat(1.0, 10).ToArray()), (27, Enumerable.Repeat(1.0, 10).ToArray()),
        ];
        foreach (var (number, x) in solutions)
        {
            var p = Mgh.ByNumber(number);
            Assert.True(p.Value(x) < 1e-20, $"{p.Label}: f = {p.Value(x):R} at the published solution");
        }
    }

    [Fact]
    public void MisuseIsReported()
    {
        var p = Mgh.Rosenbrock();
        var e = Assert.Throws<ArgumentException>(() => p.Residuals([1.0, 2.0, 3.0], new double[2]));
        Assert.Contains("x has length 3, not n = 2", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Mgh.ByNumber(36));
    }

    private static double[] Shift(double[] x, double[] v, double t) => x.Select((xi, k) => xi + (t * v[k])).ToArray();

    private static double[] JacobianTransposeTimes(MghProblem p, double[] x, double[] w)
    {
        var r = new double[p.M];
        var j = new double[p.M * p.N];
        p.Jacobian(x, r, j);
        var result = new double[p.N];
        for (int i = 0; i < p.M; i++)
        {
            for (int k = 0; k < p.N; k++)
            {
                result[k] += j[(i * p.N) + k] * w[i];
            }
        }

        return result;
    }
}
