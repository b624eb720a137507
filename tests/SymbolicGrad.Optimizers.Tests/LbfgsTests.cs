using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;
using Xunit.Abstractions;

namespace SymbolicGrad.Optimizers.Tests;

/// <summary>L-BFGS side by side with MathNet.Numerics' <c>LimitedMemoryBfgsMinimizer</c> on Rosenbrock.</summary>
public class LbfgsTests(ITestOutputHelper output)
{
    public static TheoryData<int> Dimensions() => [2, 10];

    private static double[] Start(int n)
    {
        // (−1.2, 1) for the classic problem; the same pattern repeated for the chained one.
        var x = new double[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = i % 2 == 0 ? -1.2 : 1.0;
        }

        return x;
    }

    private static (double[] X, int Evaluations) MathNetMinimize(int n, double gradientTolerance)
    {
        int evaluations = 0;
        var objective = ObjectiveFunction.Gradient(new Func<Vector<double>, (double, Vector<double>)>(v =>
        {
            evaluations++;
            var x = v.ToArray();
            var g = new double[n];
            double f = TestFunctions.Rosenbrock(x, g);
            return (f, Vector<double>.Build.DenseOfArray(g));
        }));
        var minimizer = new LimitedMemoryBfgsMinimizer(gradientTolerance, 1e-15, 1e-15, 10, 10_000);
        var result = minimizer.FindMinimum(objective, Vector<double>.Build.DenseOfArray(Start(n)));
        return (result.MinimizingPoint.ToArray(), evaluations);
    }

    /// <summary>
    /// MathNet's cheapest run that reaches ‖x − 1‖ &lt; 1e-6, over a sweep of its gradient tolerance (so that MathNet is
    /// not charged for over-solving).
    /// </summary>
    private (int Evaluations, double Distance, double Tolerance) MathNetBest(int n)
    {
        (int, double, double)? best = null;
        foreach (double tolerance in new[] { 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10 })
        {
            var (x, evaluations) = MathNetMinimize(n, tolerance);
            double distance = TestFunctions.DistanceToOnes(x);
            output.WriteLine($"  MathNet n = {n}, gradient tolerance {tolerance:E0}: {evaluations} evaluations, ‖x − 1‖ = {distance:E2}");
            if (distance < 1e-6 && (best is null || evaluations < best.Value.Item1))
            {
                best = (evaluations, distance, tolerance);
            }
        }

        Assert.True(best is not null, "MathNet never reached ‖x − 1‖ < 1e-6");
        return best.Value;
    }

    [Theory]
    [MemberData(nameof(Dimensions))]
    public void ReachesTheMinimumWithNoMoreEvaluationsThanMathNet(int n)
    {
        var (mathNetEvaluations, mathNetDistance, mathNetTolerance) = MathNetBest(n);

        int ourEvaluations = 0;
        var lbfgs = new Lbfgs(maxIterations: 10_000, toleranceGrad: 1e-9, toleranceChange: 1e-14, historySize: 10, lineSearch: LineSearch.StrongWolfe);
        var result = lbfgs.Minimize((x, g) => { ourEvaluations++; return TestFunctions.Rosenbrock(x, g); }, Start(n));
        double distance = TestFunctions.DistanceToOnes(result.Parameters);
        output.WriteLine($"n = {n}: ours {ourEvaluations} evaluations, ‖x − 1‖ = {distance:E2}, {result.StopReason}; " +
                         $"MathNet (best run, gradient tolerance {mathNetTolerance:E0}) {mathNetEvaluations} evaluations, ‖x − 1‖ = {mathNetDistance:E2}");

        Assert.True(distance < 1e-6, $"ours stopped at ‖x − 1‖ = {distance} ({result})");
        Assert.Equal(ourEvaluations, result.GradientEvaluations);
        Assert.True(ourEvaluations <= mathNetEvaluations, $"ours {ourEvaluations} > MathNet {mathNetEvaluations}");
        Assert.True(result.Converged, result.StopReason.ToString());
    }

    [Fact]
    public void PyTorchDefaultsWithoutLineSearchStillDescend()
    {
        // lr 1, no line search: the fixed step of the quasi-Newton direction. On w² + 4b² it descends until
        // PyTorch's |f − f_prev| < 1e-9 rule stops it.
        var lbfgs = new Lbfgs(maxIterations: 100);
        double[] x = [1.0, 1.0];
        double first = lbfgs.Step(x, TestFunctions.Bowl);
        Assert.Equal(5.0, first);
        Assert.Equal(StopReason.ChangeTolerance, lbfgs.LastStopReason);
        Assert.True(x[0] * x[0] + 4 * x[1] * x[1] < 1e-9, $"({x[0]}, {x[1]}) after {lbfgs.Iterations} iterations");
    }

    [Fact]
    public void FirstIterationStepIsGradientOverItsOneNorm()
    {
        // Hand-derived from the algorithm: d = −g, t = min(1, 1/‖g‖₁)·lr. At (1, 1) on w² + 4b², g = (2, 8), ‖g‖₁ = 10.
        var lbfgs = new Lbfgs(maxIterations: 1);
        double[] x = [1.0, 1.0];
        lbfgs.Step(x, TestFunctions.Bowl);
        Assert.Equal(1.0 - 0.2, x[0], 15);
        Assert.Equal(1.0 - 0.8, x[1], 15);
        Assert.Equal(1, lbfgs.Evaluations); // no re-evaluation after the last iteration, as in PyTorch
    }

    [Fact]
    public void StateCarriesAcrossSteps()
    {
        var lbfgs = new Lbfgs(maxIterations: 3, lineSearch: LineSearch.StrongWolfe);
        double[] x = [-1.2, 1.0];
        double previous = double.PositiveInfinity;
        for (int k = 0; k < 30; k++)
        {
            double f = lbfgs.Step(x, TestFunctions.Rosenbrock);
            Assert.True(f <= previous);
            previous = f;
        }

        Assert.True(TestFunctions.DistanceToOnes(x) < 1e-4, $"({x[0]}, {x[1]})");
        Assert.Throws<ArgumentException>(() => lbfgs.Step(new double[3], TestFunctions.Rosenbrock));
    }

    /// <summary>Step from a point that is not finite (or from none) names the problem instead of returning NaN (red-team I).</summary>
    [Fact]
    public void StepRefusesAStartThatIsNotFinite()
    {
        var lbfgs = new Lbfgs();
        double[] x = [double.NaN, 1.0];
        var e = Assert.Throws<ArgumentException>(() => lbfgs.Step(x, TestFunctions.Rosenbrock));
        Assert.Equal("parameters", e.ParamName);
        Assert.Throws<ArgumentException>(() => lbfgs.Step([1.0, double.PositiveInfinity], TestFunctions.Rosenbrock));
        Assert.Throws<ArgumentException>(() => lbfgs.Step(Span<double>.Empty, TestFunctions.Rosenbrock));
        Assert.Equal(0, lbfgs.Iterations);
    }

    [Fact]
    public void StopsOnTheGradientToleranceAtTheStart()
    {
        var lbfgs = new Lbfgs();
        var result = lbfgs.Minimize(TestFunctions.Bowl, [0.0, 0.0]);
        Assert.Equal(StopReason.GradientTolerance, result.StopReason);
        Assert.Equal(1, result.GradientEvaluations);
    }

    [Fact]
    public void ArgumentsAreValidated()
    {
        Assert.Equal("historySize", Assert.Throws<ArgumentOutOfRangeException>(() => new Lbfgs(historySize: 0)).ParamName);
        Assert.Equal("learningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new Lbfgs(learningRate: 0)).ParamName);
        Assert.Equal(25, new Lbfgs().MaxEvaluations);
    }
}
