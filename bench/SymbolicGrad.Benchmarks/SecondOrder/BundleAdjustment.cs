using SymbolicGrad.Benchmarks.Generated;
using SymbolicGrad.Benchmarks.Problems;
using SymbolicGrad.Optimizers;

namespace SymbolicGrad.Benchmarks.SecondOrder;

/// <summary>
/// A synthetic bundle-adjustment problem (seed 14): 6 cameras around 50 points in the unit cube, 10 units away; every point
/// seen by every camera; observations are the true projections plus N(0, 0.5²) pixels; the start perturbs the truth
/// (rotations by 0.02 rad, translations and points by 0.05, focal lengths by 2 %). 6·9 + 50·3 = 204 parameters,
/// 600 residuals.
/// </summary>
public sealed class BundleAdjustmentProblem
{
    public const int Cameras = 6;
    public const int Points = 50;

    private BundleAdjustmentProblem(double[] truth, double[] start, int[] cameraIndex, int[] pointIndex, double[] observed)
    {
        Truth = truth;
        Start = start;
        CameraIndex = cameraIndex;
        PointIndex = pointIndex;
        Observed = observed;
        Function = Objectives.BundleResidualsLeastSquares(Cameras * 9, Points * 3, cameraIndex, pointIndex, observed, observed.Length);
    }

    public double[] Truth { get; }

    public double[] Start { get; }

    public int[] CameraIndex { get; }

    public int[] PointIndex { get; }

    public double[] Observed { get; }

    /// <summary>The generated least-squares function (residuals and Jacobian from <c>BundleResidualsLeastSquares</c>).</summary>
    public LeastSquaresFunction Function { get; }

    public int Dimension => Function.Dimension;

    public int ResidualCount => Function.ResidualCount;

    public static BundleAdjustmentProblem Create()
    {
        var random = new Random(14);
        var cameras = new double[Cameras * 9];
        for (int c = 0; c < Cameras; c++)
        {
            for (int k = 0; k < 3; k++)
            {
                cameras[(c * 9) + k] = 0.1 * ProblemHelpers.Normal(random);
                cameras[(c * 9) + 3 + k] = k == 2 ? -10 + ProblemHelpers.Uniform(random, -0.5, 0.5) : ProblemHelpers.Uniform(random, -0.5, 0.5);
            }

            cameras[(c * 9) + 6] = 500 + ProblemHelpers.Uniform(random, -20, 20);
            cameras[(c * 9) + 7] = 0.01 * ProblemHelpers.Normal(random);
            cameras[(c * 9) + 8] = 0.001 * ProblemHelpers.Normal(random);
        }

        var points = new double[Points * 3];
        for (int i = 0; i < points.Length; i++)
        {
            points[i] = ProblemHelpers.Uniform(random, -1, 1);
        }

        var cameraIndex = new int[Cameras * Points];
        var pointIndex = new int[Cameras * Points];
        for (int k = 0; k < cameraIndex.Length; k++)
        {
            cameraIndex[k] = k % Cameras;
            pointIndex[k] = k / Cameras;
        }

        var observed = new double[2 * cameraIndex.Length];
        Objectives.BundleResiduals(cameras, points, cameraIndex, pointIndex, new double[observed.Length], observed);
        for (int i = 0; i < observed.Length; i++)
        {
            observed[i] += 0.5 * ProblemHelpers.Normal(random);
        }

        var truth = cameras.Concat(points).ToArray();
        var start = (double[])truth.Clone();
        for (int c = 0; c < Cameras; c++)
        {
            for (int k = 0; k < 3; k++)
            {
                start[(c * 9) + k] += 0.02 * ProblemHelpers.Normal(random);
                start[(c * 9) + 3 + k] += 0.05 * ProblemHelpers.Normal(random);
            }

            start[(c * 9) + 6] *= 1 + (0.02 * ProblemHelpers.Normal(random));
        }

        for (int i = Cameras * 9; i < start.Length; i++)
        {
            start[i] += 0.05 * ProblemHelpers.Normal(random);
        }

        return new BundleAdjustmentProblem(truth, start, cameraIndex, pointIndex, observed);
    }

    public LeastSquaresResult Solve() => new LevenbergMarquardt().Minimize(Function, Start);

    /// <summary>The Jacobian by centered differences of the residuals (2n residual evaluations), for comparison.</summary>
    public void NumericJacobian(double[] x, double[] r, double[] jacobian, double[] up, double[] down)
    {
        int n = Dimension;
        int m = ResidualCount;
        Function.Residuals(x, r);
        for (int j = 0; j < n; j++)
        {
            double keep = x[j];
            double h = 6e-6 * Math.Max(1, Math.Abs(keep));
            x[j] = keep + h;
            Function.Residuals(x, up);
            x[j] = keep - h;
            Function.Residuals(x, down);
            x[j] = keep;
            for (int i = 0; i < m; i++)
            {
                jacobian[(i * n) + j] = (up[i] - down[i]) / (2 * h);
            }
        }
    }
}

/// <summary>Residuals, the generated Jacobian, a numeric Jacobian and the whole Levenberg–Marquardt solve.</summary>
public class BundleAdjustmentBenchmarks
{
    private BundleAdjustmentProblem _problem = null!;
    private double[] _x = [];
    private double[] _r = [];
    private double[] _j = [];
    private double[] _up = [];
    private double[] _down = [];

    [BenchmarkDotNet.Attributes.GlobalSetup]
    public void Setup()
    {
        _problem = BundleAdjustmentProblem.Create();
        _x = (double[])_problem.Start.Clone();
        _r = new double[_problem.ResidualCount];
        _up = new double[_problem.ResidualCount];
        _down = new double[_problem.ResidualCount];
        _j = new double[_problem.ResidualCount * _problem.Dimension];
    }

    [BenchmarkDotNet.Attributes.Benchmark]
    public double Residuals()
    {
        _problem.Function.Residuals(_x, _r);
        return _r[0];
    }

    [BenchmarkDotNet.Attributes.Benchmark]
    public double Jacobian()
    {
        _problem.Function.Jacobian(_x, _r, _j);
        return _j[0];
    }

    [BenchmarkDotNet.Attributes.Benchmark]
    public double NumericJacobian()
    {
        _problem.NumericJacobian(_x, _r, _j, _up, _down);
        return _j[0];
    }

    [BenchmarkDotNet.Attributes.Benchmark]
    public double Solve() => _problem.Solve().Cost;
}
