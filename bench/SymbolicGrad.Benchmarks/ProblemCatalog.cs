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
    Func<string, TorchCase> Torch,
    Func<string, double> GeneratedThreadBytes,
    Func<string, double, double> GeneratedSeconds);

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
            Verifier.Run<TProblem>, Probe<TProblem>, TProblem.GradientFlops, size => TorchCase.Of<TProblem>(TProblem.Name, size),
            ThreadBytes<TProblem>, GeneratedSeconds<TProblem>);

    /// <summary>
    /// The bytes one call of the generated gradient allocates on the thread that calls it, averaged over 64 calls after
    /// 8 untimed ones (GC.GetAllocatedBytesForCurrentThread). BenchmarkDotNet's MemoryDiagnoser counts every thread of the
    /// process, the runtime's own among them; this counts only the gradient's. NaN where no gradient is generated.
    /// </summary>
    private static double ThreadBytes<TProblem>(string size)
        where TProblem : struct, IProblem<TProblem>
    {
        if (!TProblem.HasGenerated)
        {
            return double.NaN;
        }

        var problem = TProblem.Create(size);
        double[] point = problem.Point;
        double[] gradient = new double[point.Length];
        for (int i = 0; i < 8; i++)
        {
            problem.Generated(point, gradient);
        }

        const int Calls = 64;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Calls; i++)
        {
            problem.Generated(point, gradient);
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Calls;
    }

    /// <summary>
    /// The median time of one call of the generated gradient, timed here with a stopwatch: batches of calls of at least
    /// 1 ms each, for at least <paramref name="seconds"/> and 5 batches, after 3 untimed calls. For the rounds that pair
    /// it with PyTorch (Report: both timed within a minute of each other, so that a machine whose speed drifts during
    /// the run does not tilt the ratio).
    /// </summary>
    private static double GeneratedSeconds<TProblem>(string size, double seconds)
        where TProblem : struct, IProblem<TProblem>
    {
        var problem = TProblem.Create(size);
        double[] point = problem.Point;
        double[] gradient = new double[point.Length];
        for (int i = 0; i < 3; i++)
        {
            problem.Generated(point, gradient);
        }

        int batch = 1;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        problem.Generated(point, gradient);
        double one = Math.Max(watch.Elapsed.TotalSeconds, 1e-9);
        batch = (int)Math.Clamp(1e-3 / one, 1, 1_000_000);
        var perCall = new List<double>();
        var total = System.Diagnostics.Stopwatch.StartNew();
        while (perCall.Count < 5 || total.Elapsed.TotalSeconds < seconds)
        {
            watch.Restart();
            for (int i = 0; i < batch; i++)
            {
                problem.Generated(point, gradient);
            }

            perCall.Add(watch.Elapsed.TotalSeconds / batch);
        }

        perCall.Sort();
        return perCall[perCall.Count / 2];
    }

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
