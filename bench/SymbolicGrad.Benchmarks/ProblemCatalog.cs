using SymbolicGrad.Benchmarks.Problems;
using SymbolicGrad.Benchmarks.Torch;

namespace SymbolicGrad.Benchmarks;

/// <summary>One problem of the report, with what is needed to verify and to benchmark it without knowing its type.</summary>
public sealed record ProblemEntry(
    string Name,
    IReadOnlyList<string> Sizes,
    IReadOnlyList<string> VerifySizes,
    bool HasGenerated,
    bool HasTape,
    Type BenchmarkType,
    Func<string, VerificationResult> Verify,
    Func<string, (int Dimension, double ValueSeconds)> Probe,
    Func<string, double> GradientFlops,
    Func<string, TorchCase> Torch);

/// <summary>Every problem, in the order of the report's rows.</summary>
public static class ProblemCatalog
{
    public static IReadOnlyList<ProblemEntry> All { get; } =
    [
        Of<SquareProblem>(), Of<SumTimesProblem>(), Of<QuadraticProblem>(), Of<BowlProblem>(), Of<Rosenbrock2Problem>(),
        Of<RosenbrockProblem>(), Of<MseProblem>(), Of<LogisticRegressionProblem>(), Of<MlpProblem>(), Of<SoftmaxMlpProblem>(), Of<GmmProblem>(),
    ];

    private static ProblemEntry Of<TProblem>()
        where TProblem : struct, IProblem<TProblem> =>
        new(TProblem.Name, TProblem.Sizes, TProblem.VerifySizes, TProblem.HasGenerated, TProblem.HasTape, typeof(ProblemBenchmarks<TProblem>),
            Verifier.Run<TProblem>, Probe<TProblem>, TProblem.GradientFlops, size => TorchCase.Of<TProblem>(TProblem.Name, size));

    /// <summary>The dimension, and a rough time of one value evaluation (to decide whether numeric is measured or estimated).</summary>
    private static (int, double) Probe<TProblem>(string size)
        where TProblem : struct, IProblem<TProblem>
    {
        var problem = TProblem.Create(size);
        double[] point = problem.Point;
        problem.Value(point);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        int calls = 0;
        do
        {
            problem.Value(point);
            calls++;
        }
        while (watch.Elapsed.TotalMilliseconds < 5);

        return (point.Length, watch.Elapsed.TotalSeconds / calls);
    }
}
