using BenchmarkDotNet.Attributes;
using SymbolicGrad.Benchmarks.Problems;

namespace SymbolicGrad.Benchmarks;

/// <summary>
/// The five contenders of one problem, one BenchmarkDotNet case per contender and size. The problem is a struct type
/// argument, so each call below is a direct call the JIT can inline, the same for every contender.
/// </summary>
/// <typeparam name="TProblem">The problem.</typeparam>
public class ProblemBenchmarks<TProblem>
    where TProblem : struct, IProblem<TProblem>
{
    /// <summary>The names of the benchmark methods, as the report looks them up.</summary>
    public static class Contenders
    {
        public const string Hand = nameof(ProblemBenchmarks<TProblem>.Hand);
        public const string Generated = nameof(ProblemBenchmarks<TProblem>.Generated);
        public const string Tape = nameof(ProblemBenchmarks<TProblem>.Tape);
        public const string Numeric = nameof(ProblemBenchmarks<TProblem>.Numeric);
        public const string Value = nameof(ProblemBenchmarks<TProblem>.Value);
    }

    private TProblem _problem;
    private double[] _point = [];
    private double[] _gradient = [];

    /// <summary>The sizes of the problem.</summary>
    public static IEnumerable<string> Sizes => TProblem.Sizes;

    /// <summary>The size being measured.</summary>
    [ParamsSource(nameof(Sizes))]
    public string Size { get; set; } = "";

    /// <summary>Builds the problem and its data (not measured).</summary>
    [GlobalSetup]
    public void Setup()
    {
        _problem = TProblem.Create(Size);
        _point = _problem.Point.ToArray();
        _gradient = new double[_point.Length];
    }

    [Benchmark]
    public double Hand() => _problem.Hand(_point, _gradient);

    [Benchmark]
    public double Generated() => _problem.Generated(_point, _gradient);

    [Benchmark]
    public double Tape() => _problem.Tape(_point, _gradient);

    [Benchmark]
    public double Numeric() => Problems.Numeric.Gradient(ref _problem, _point, _gradient);

    [Benchmark]
    public double Value() => _problem.Value(_point);
}
