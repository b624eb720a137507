using SymbolicGrad.Benchmarks.Generated;
using SymbolicGrad.Benchmarks.Problems;
using SymbolicGrad.Optimizers;

namespace SymbolicGrad.Benchmarks.SecondOrder;

/// <summary>
/// The second-order rows (issue 14): generated gradients, Hessian-vector products and dense Hessians of the same
/// [Differentiable(Hessian = true)] objectives, at the benchmark's points, with a fixed direction.
/// </summary>
public sealed class SecondOrderCase
{
    public static IReadOnlyList<string> All { get; } = ["Rosenbrock N = 100", "MLP 4-16-1, tanh"];

    private SecondOrderCase(string name, DifferentiableFunction f, double[] x)
    {
        Name = name;
        Function = f;
        Point = x;
        var random = new Random(14);
        Direction = Enumerable.Range(0, x.Length).Select(_ => random.NextDouble() - 0.5).ToArray();
    }

    public string Name { get; }

    public DifferentiableFunction Function { get; }

    public double[] Point { get; }

    public double[] Direction { get; }

    public static SecondOrderCase Create(string name) => name switch
    {
        "Rosenbrock N = 100" => new(name, Objectives.RosenbrockObjective(100), RosenbrockProblem.Create("N = 100").Point),
        "MLP 4-16-1, tanh" => Mlp(),
        _ => throw new ArgumentException(name),
    };

    private static SecondOrderCase Mlp()
    {
        var problem = MlpProblem.Create("M = 100");
        var (x, y) = problem.Data;
        return new("MLP 4-16-1, tanh", Objectives.MlpObjective(64, 16, 16, x, y), problem.Point);
    }
}

/// <summary>Gradient, Hessian-vector product and dense Hessian of each case (BenchmarkDotNet, in one run with the others).</summary>
public class SecondOrderBenchmarks
{
    private SecondOrderCase _case = null!;
    private double[] _gradient = [];
    private double[] _product = [];
    private double[] _hessian = [];

    public static IEnumerable<string> Cases => SecondOrderCase.All;

    [BenchmarkDotNet.Attributes.ParamsSource(nameof(Cases))]
    public string Case { get; set; } = "";

    [BenchmarkDotNet.Attributes.GlobalSetup]
    public void Setup()
    {
        _case = SecondOrderCase.Create(Case);
        int n = _case.Point.Length;
        _gradient = new double[n];
        _product = new double[n];
        _hessian = new double[n * n];
    }

    [BenchmarkDotNet.Attributes.Benchmark]
    public double Gradient() => _case.Function.ValueAndGradient(_case.Point, _gradient);

    [BenchmarkDotNet.Attributes.Benchmark]
    public double HessianVectorProduct()
    {
        _case.Function.HessianVectorProduct(_case.Point, _case.Direction, _product);
        return _product[0];
    }

    [BenchmarkDotNet.Attributes.Benchmark]
    public double Hessian()
    {
        _case.Function.Hessian(_case.Point, _hessian);
        return _hessian[0];
    }
}

/// <summary>
/// Newton-CG (generated Hessian-vector products) against L-BFGS on the extended Rosenbrock function (MGH 21), N = 10,000,
/// from its standard start (−1.2, 1, −1.2, 1, …), both through <see cref="Optimize"/> with their defaults.
/// </summary>
public class SolverBenchmarks
{
    public const int Dimension = 10_000;

    public static IEnumerable<string> Solvers => ["L-BFGS", "Newton-CG"];

    [BenchmarkDotNet.Attributes.ParamsSource(nameof(Solvers))]
    public string Solver { get; set; } = "";

    private DifferentiableFunction _f = null!;
    private double[] _start = [];

    [BenchmarkDotNet.Attributes.GlobalSetup]
    public void Setup()
    {
        _f = Objectives.ExtendedRosenbrockObjective(Dimension);
        _start = Start();
    }

    public static double[] Start() => Enumerable.Range(0, Dimension).Select(i => i % 2 == 0 ? -1.2 : 1.0).ToArray();

    public static MinimizeResult Solve(string solver, DifferentiableFunction f, double[] start) =>
        f.Minimize(start, new MinimizeOptions { Method = solver == "Newton-CG" ? MinimizeMethod.NewtonCg : MinimizeMethod.Lbfgs });

    [BenchmarkDotNet.Attributes.Benchmark]
    public double Minimize() => Solve(Solver, _f, _start).Value;
}
