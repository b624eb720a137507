using BenchmarkDotNet.Attributes;
using SymbolicGrad.Benchmarks.Generated;
using SymbolicGrad.Benchmarks.Problems;
using SymbolicGrad.Optimizers;

namespace SymbolicGrad.Benchmarks;

/// <summary>
/// One data-parallel row: a generated gradient evaluated over the whole data set in one call (serial), and the same
/// loss as a <see cref="ShardedObjective"/> of generated shard gradients (over span slices of the same data), on one
/// thread and on every core.
/// </summary>
public sealed class DataParallelCase
{
    public const string Mse = "MSE of a line, M = 1,000,000";
    public const string Logistic = "logistic regression, d = 10, M = 100,000";

    public static IReadOnlyList<string> All { get; } = [Mse, Logistic];

    private readonly Func<double[], double[], double> _serial;
    private readonly Func<double[], double[], double> _hand;

    private DataParallelCase(string name, double[] point, Func<double[], double[], double> serial, Func<double[], double[], double> hand,
        ShardedObjective sharded)
    {
        Name = name;
        Point = point;
        _serial = serial;
        _hand = hand;
        OneThread = sharded.WithMaxDegreeOfParallelism(1);
        AllCores = sharded.WithMaxDegreeOfParallelism(Environment.ProcessorCount);
    }

    public string Name { get; }

    public double[] Point { get; }

    /// <summary>The sharded objective on one thread.</summary>
    public ShardedObjective OneThread { get; }

    /// <summary>The sharded objective on <see cref="Environment.ProcessorCount"/> threads.</summary>
    public ShardedObjective AllCores { get; }

    /// <summary>The generated gradient over the whole data set, one call.</summary>
    public double Serial(double[] gradient) => _serial(Point, gradient);

    /// <summary>The hand-written gradient, the reference of verify.</summary>
    public double Hand(double[] gradient) => _hand(Point, gradient);

    public static DataParallelCase Create(string name)
    {
        switch (name)
        {
            case Mse:
            {
                var problem = MseProblem.Create("M = 1,000,000");
                double[] x = problem.X;
                double[] y = problem.Y;
                var sharded = new ShardedObjective(2, x.Length,
                    (p, start, n, g) => Objectives.SquaredResidualsGradient(p[0], p[1], x.AsSpan(start, n), y.AsSpan(start, n), out g[0], out g[1]),
                    (p, start, n) => Objectives.SquaredResiduals(p[0], p[1], x.AsSpan(start, n), y.AsSpan(start, n)),
                    scale: 1.0 / x.Length);
                return new DataParallelCase(name, problem.Point, (p, g) => Objectives.MseGradient(p[0], p[1], x, y, out g[0], out g[1]),
                    (p, g) => problem.Hand(p, g), sharded);
            }

            case Logistic:
            {
                const int d = 10;
                var problem = LogisticRegressionProblem.Create(LogisticRegressionProblem.LargeSize);
                double[] x = problem.X;
                double[] y = problem.Y;
                var sharded = new ShardedObjective(d + 1, y.Length,
                    (p, start, n, g) => Objectives.CrossEntropySumGradient(p[..d], p[d], x.AsSpan(start * d, n * d), y.AsSpan(start, n), g[..d], out g[d]),
                    (p, start, n) => Objectives.CrossEntropySum(p[..d], p[d], x.AsSpan(start * d, n * d), y.AsSpan(start, n)),
                    scale: 1.0 / y.Length);
                return new DataParallelCase(name, problem.Point, (p, g) => problem.Generated(p, g), (p, g) => problem.Hand(p, g), sharded);
            }

            default:
                throw new ArgumentException(name);
        }
    }
}

/// <summary>The data-parallel rows under BenchmarkDotNet: serial generated gradient, sharded on one thread, sharded on every core.</summary>
public class DataParallelBenchmarks
{
    private DataParallelCase _case = null!;
    private double[] _gradient = [];

    public static IEnumerable<string> Cases => DataParallelCase.All;

    [ParamsSource(nameof(Cases))]
    public string Case { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _case = DataParallelCase.Create(Case);
        _gradient = new double[_case.Point.Length];
    }

    [Benchmark]
    public double Serial() => _case.Serial(_gradient);

    [Benchmark]
    public double ShardedOneThread() => _case.OneThread.ValueAndGradient(_case.Point, _gradient);

    [Benchmark]
    public double ShardedAllCores() => _case.AllCores.ValueAndGradient(_case.Point, _gradient);
}
