using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Filters;
using Perfolizer.Horology;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using SymbolicGrad.Benchmarks.Torch;

namespace SymbolicGrad.Benchmarks;

/// <summary>One row of the table: a problem at one size, the median time of each contender, and the generated gradient's allocation.</summary>
public sealed record Row(string Problem, string Size, int Dimension, bool HasGenerated, double? Hand, double? Generated, double? Tape,
    double? Numeric, bool NumericEstimated, double? Value, long? GeneratedBytes, double? Torch = null, double GradientFlops = 0,
    double? GeneratedThreadBytes = null, double? PairedTorchOverGenerated = null)
{
    /// <summary>PyTorch's time over the generated gradient's, from the rounds that time both (see Report.Run); else from the columns.</summary>
    public double TorchOverGenerated => PairedTorchOverGenerated ?? (Torch is { } t && Generated is { } g ? t / g : double.NaN);

    public double GeneratedOverHand => Generated is { } g && Hand is { } h ? g / h : double.NaN;
    public double TapeOverGenerated => Tape is { } t && Generated is { } g ? t / g : double.NaN;
    public double GradientOverValue => Generated is { } g && Value is { } v ? g / v : double.NaN;
    public double HandOverValue => Hand is { } h && Value is { } v ? h / v : double.NaN;
}

/// <summary>A data-parallel row: the generated gradient in one serial call, and sharded on one thread and on every core (ns).</summary>
public sealed record DataParallelRow(string Case, int Shards, double? Serial, double? OneThread, double? AllCores)
{
    public double SpeedUp => Serial is { } s && AllCores is { } a ? s / a : double.NaN;
    public double ShardedSpeedUp => OneThread is { } o && AllCores is { } a ? o / a : double.NaN;
}

/// <summary>
/// The one command behind docs/benchmarks.md: verify, time the generator, run every contender of every problem under
/// BenchmarkDotNet (in this process, MemoryDiagnoser on), and write the table, the targets and how to rerun.
/// </summary>
public static class Report
{
    /// <summary>Numeric gradients longer than this per call are estimated as 2N × value instead of measured.</summary>
    private static double NumericBudgetSeconds(bool quick) => quick ? 0.05 : 1.0;

    public static int Run(bool quick, string? outPath)
    {
        var watch = Stopwatch.StartNew();
        outPath ??= Path.Combine(RepositoryRoot(), "docs", "benchmarks.md");

        Console.WriteLine("== verify");
        bool agreed = Verifier.RunAll(Console.Out, out var torch);
        using var torchRunner = torch.Runner;
        if (!agreed)
        {
            Console.Error.WriteLine("report: not written, the contenders disagree.");
            return 1;
        }

        Console.WriteLine("== build time");
        var buildTime = BuildTime.Measure(quick);
        Console.WriteLine(buildTime.ToMarkdown());

        Console.WriteLine("== peak FLOP/s (one core)");
        var peak = PeakFlops.Measure(quick);
        Console.WriteLine(peak);

        // what to measure: every contender, except generated gradients that are not compiled in yet and numeric
        // gradients too slow to time (those are estimated from the measured value time)
        var dimensions = new Dictionary<(string, string), int>();
        var estimateNumeric = new HashSet<(string, string)>();
        foreach (var entry in ProblemCatalog.All)
        {
            foreach (string size in entry.Sizes)
            {
                var (dimension, valueSeconds) = entry.Probe(size);
                dimensions[(entry.Name, size)] = dimension;
                if (2 * dimension * valueSeconds > NumericBudgetSeconds(quick))
                {
                    estimateNumeric.Add((entry.Name, size));
                }
            }
        }

        var byType = ProblemCatalog.All.ToDictionary(e => e.BenchmarkType);
        bool Include(BenchmarkCase c)
        {
            if (!byType.TryGetValue(c.Descriptor.Type, out var entry))
            {
                return true;
            }

            string method = c.Descriptor.WorkloadMethod.Name;
            string size = (string)c.Parameters["Size"];
            return method switch
            {
                "Generated" => entry.HasGenerated,
                "Tape" => entry.HasTape,
                "Numeric" => !estimateNumeric.Contains((entry.Name, size)),
                _ => true,
            };
        }

        Console.WriteLine("== BenchmarkDotNet");
        var config = Config(quick).AddFilter(new SimpleFilter(Include));
        var summaries = BenchmarkRunner.Run([.. ProblemCatalog.All.Select(e => e.BenchmarkType), typeof(DataParallelBenchmarks)], config);

        var times = new Dictionary<(string Problem, string Size, string Method), (double Median, long? Bytes)>();
        var parallelTimes = new Dictionary<(string Case, string Method), double>();
        foreach (var report in summaries.SelectMany(s => s.Reports))
        {
            if (report.ResultStatistics is null)
            {
                continue;
            }

            if (report.BenchmarkCase.Descriptor.Type == typeof(DataParallelBenchmarks))
            {
                parallelTimes[((string)report.BenchmarkCase.Parameters["Case"], report.BenchmarkCase.Descriptor.WorkloadMethod.Name)] =
                    report.ResultStatistics.Median;
                continue;
            }

            var entry = byType[report.BenchmarkCase.Descriptor.Type];
            string size = (string)report.BenchmarkCase.Parameters["Size"];
            long? bytes = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase);
            times[(entry.Name, size, report.BenchmarkCase.Descriptor.WorkloadMethod.Name)] = (report.ResultStatistics.Median, bytes);
        }

        // PyTorch: the cases verify checked, timed by the script in its own process (one thread), in rounds paired with
        // the generated gradient timed here: in each round every case's generated gradient (a stopwatch median), then
        // PyTorch on the same cases. The ratio of a case is the median over the rounds of its two times in that round, so
        // a machine whose speed drifts during the run (the BenchmarkDotNet runs take half an hour) does not tilt it.
        var torchTimes = new Dictionary<(string Problem, string Size), double>();
        var pairedRatios = new Dictionary<(string Problem, string Size), double>();
        if (torchRunner is not null)
        {
            Console.WriteLine("== PyTorch, in rounds paired with the generated gradient");
            var ids = ProblemCatalog.All.SelectMany(e => e.Sizes.Select(size => (e.Name, size)))
                .Where(torch.Verified.ContainsKey).ToDictionary(k => torch.Verified[k], k => k);
            var byName = ProblemCatalog.All.ToDictionary(e => e.Name);
            var torchRounds = new Dictionary<(string, string), List<double>>();
            var ratioRounds = new Dictionary<(string, string), List<double>>();
            int rounds = quick ? 1 : TorchRounds;
            for (int round = 0; round < rounds; round++)
            {
                var generatedSeconds = new Dictionary<(string, string), double>();
                foreach (var key in ids.Values)
                {
                    var entry = byName[key.Name];
                    if (entry.HasGenerated)
                    {
                        generatedSeconds[key] = entry.GeneratedSeconds(key.size, quick ? 0.1 : 0.5);
                    }
                }

                foreach (var (id, (seconds, error)) in torchRunner.Time(ids.Keys, quick ? 0.2 : 0.7))
                {
                    var key = ids[id];
                    if (seconds is { } t)
                    {
                        (torchRounds.TryGetValue(key, out var list) ? list : torchRounds[key] = new List<double>()).Add(t);
                        if (generatedSeconds.TryGetValue(key, out double g))
                        {
                            (ratioRounds.TryGetValue(key, out var ratios) ? ratios : ratioRounds[key] = new List<double>()).Add(t / g);
                        }
                    }
                    else
                    {
                        Console.WriteLine($"torch: {key}: {error}");
                    }
                }
            }

            foreach (var (key, list) in torchRounds)
            {
                torchTimes[key] = Median(list) * 1e9;
            }

            foreach (var (key, list) in ratioRounds)
            {
                pairedRatios[key] = Median(list);
                Console.WriteLine($"torch / generated {key}: {string.Join(", ", list.Select(r => r.ToString("0.00", CultureInfo.InvariantCulture)))} (median {pairedRatios[key]:0.00})");
            }
        }

        var parallelRows = DataParallelRows(parallelTimes);

        Console.WriteLine("== second order");
        string secondOrder = SecondOrder.SecondOrderReport.Run(Config(quick));

        var rows = new List<Row>();
        foreach (var entry in ProblemCatalog.All)
        {
            foreach (string size in entry.Sizes)
            {
                double? Time(string method) => times.TryGetValue((entry.Name, size, method), out var t) ? t.Median : null;
                int dimension = dimensions[(entry.Name, size)];
                bool estimated = estimateNumeric.Contains((entry.Name, size));
                double? value = Time("Value");
                double? numeric = estimated ? 2.0 * dimension * value : Time("Numeric");
                long? bytes = times.TryGetValue((entry.Name, size, "Generated"), out var g) ? g.Bytes : null;
                rows.Add(new Row(entry.Name, size, dimension, entry.HasGenerated, Time("Hand"), Time("Generated"), Time("Tape"),
                    numeric, estimated, value, bytes, torchTimes.TryGetValue((entry.Name, size), out double tt) ? tt : null,
                    entry.GradientFlops(size), entry.HasGenerated ? entry.GeneratedThreadBytes(size) : null,
                    pairedRatios.TryGetValue((entry.Name, size), out double paired) ? paired : null));
            }
        }

        string markdown = Markdown(rows, parallelRows, secondOrder, peak, torch, buildTime, quick, watch.Elapsed, NumericBudgetSeconds(quick));
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outPath))!);
        File.WriteAllText(outPath, markdown);
        Console.WriteLine(markdown);
        Console.WriteLine($"report: wrote {outPath} in {watch.Elapsed.TotalSeconds:0} s");
        return 0;
    }

    /// <summary>Only the data-parallel rows (the <c>parallel</c> command): verify them, time them, print their table.</summary>
    public static int RunDataParallel(bool quick)
    {
        var summary = BenchmarkRunner.Run<DataParallelBenchmarks>(Config(quick));
        var times = new Dictionary<(string Case, string Method), double>();
        foreach (var report in summary.Reports.Where(r => r.ResultStatistics is not null))
        {
            times[((string)report.BenchmarkCase.Parameters["Case"], report.BenchmarkCase.Descriptor.WorkloadMethod.Name)] = report.ResultStatistics!.Median;
        }

        Console.WriteLine(DataParallelTable(DataParallelRows(times)));
        return 0;
    }

    private static List<DataParallelRow> DataParallelRows(Dictionary<(string Case, string Method), double> times) =>
        DataParallelCase.All.Select(c =>
        {
            double? Time(string method) => times.TryGetValue((c, method), out double t) ? t : null;
            return new DataParallelRow(c, DataParallelCase.Create(c).AllCores.ShardCount, Time(nameof(DataParallelBenchmarks.Serial)),
                Time(nameof(DataParallelBenchmarks.ShardedOneThread)), Time(nameof(DataParallelBenchmarks.ShardedAllCores)));
        }).ToList();

    internal static ManualConfig Config(bool quick)
    {
        var job = quick
            ? Job.Default.WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(5).WithIterationTime(TimeInterval.FromMilliseconds(40)).WithId("quick")
            : Job.Default.WithLaunchCount(1).WithWarmupCount(5).WithMinIterationCount(15).WithMaxIterationCount(40)
                .WithIterationTime(TimeInterval.FromMilliseconds(250)).WithId("full");
        job = job.WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(30), logOutput: false));
        return ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddLogger(ConsoleLogger.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .WithArtifactsPath(Path.Combine(AppContext.BaseDirectory, "BenchmarkDotNet.Artifacts"))
            .WithOptions(ConfigOptions.DisableLogFile);
    }

    private static string Markdown(IReadOnlyList<Row> rows, IReadOnlyList<DataParallelRow> parallelRows, string secondOrder, PeakFlopsResult peak,
        TorchVerification torch, BuildTimeResult buildTime, bool quick, TimeSpan elapsed, double numericBudget)
    {
        var b = new StringBuilder();
        b.AppendLine("# Benchmarks");
        b.AppendLine();
        b.AppendLine("Generated gradients against hand-written gradients, PyTorch, a tape-based reverse mode, centered differences and the");
        b.AppendLine("function value alone (issues 5 and 11). Written by `bench/SymbolicGrad.Benchmarks`; every number below comes from");
        b.AppendLine("that code, in one run.");
        b.AppendLine();
        if (quick)
        {
            b.AppendLine("> **Quick run** (`--quick`: 5 iterations of 40 ms per case, PyTorch timed for 0.2 s per case, not the full run): the");
            b.AppendLine("> numbers are indicative; sub-nanosecond differences and the smallest functions are noisy. Regenerate with the full command below.");
            b.AppendLine();
        }

        if (torch.Runner is null)
        {
            b.AppendLine($"> **No PyTorch column**: {torch.WhyNot}. Install it with `{TorchRunner.InstallCommand}` and rerun.");
            b.AppendLine();
        }

        int missing = rows.Count(r => !r.HasGenerated);
        if (missing > 0)
        {
            b.AppendLine($"> **{missing} of {rows.Count} rows have no generated gradient yet (n/a)**: they need loops, arrays and spans (issue 3).");
            b.AppendLine("> Their `[Differentiable]` sources are written (`bench/SymbolicGrad.Benchmarks/Generated/Loops/`) and switched off");
            b.AppendLine("> by `SymbolicGradLoops` in the project file; the targets below are computed over the rows that have one.");
            b.AppendLine();
        }

        b.AppendLine("| problem | size | hand-written | generated | PyTorch | tape | numeric | value only | generated / hand | torch / generated | tape / generated | gradient / value | bytes per call | bytes per call, all threads |");
        b.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in rows)
        {
            string numeric = r.Numeric is { } n ? (r.NumericEstimated ? "~" + Format.Time(n) + "*" : Format.Time(n)) : "n/a";
            b.AppendLine(string.Join(" | ",
                "| " + r.Problem, r.Size, T(r.Hand), T(r.Generated), T(r.Torch), T(r.Tape), numeric, T(r.Value),
                Format.Ratio(r.GeneratedOverHand), Format.Ratio(r.TorchOverGenerated), Format.Ratio(r.TapeOverGenerated), Format.Ratio(r.GradientOverValue),
                r.GeneratedThreadBytes is { } own && double.IsFinite(own) ? own.ToString("0.##", CultureInfo.InvariantCulture) : "n/a",
                r.GeneratedBytes is { } bytes ? bytes.ToString(CultureInfo.InvariantCulture) : "n/a") + " |");
        }

        b.AppendLine();
        b.AppendLine("Times are medians of one call: BenchmarkDotNet's for the C# contenders, `torch.utils.benchmark`'s for PyTorch (the median");
        b.AppendLine("over its rounds). `torch / generated` is measured in rounds that pair the two: in each round the generated gradient of");
        b.AppendLine("every case is timed in this process (a stopwatch median), then PyTorch on the same cases in its own; the column is the");
        b.AppendLine("median over the rounds of the ratio within a round, so that a machine whose speed drifts during the run does not tilt");
        b.AppendLine("it (the generated time of that pairing is not the one in the table). Above 1 the generated gradient is faster. `gradient / value` is the generated gradient's");
        b.AppendLine("time over the value's; `bytes per call` is what one call of the generated gradient allocates on the thread that calls it");
        b.AppendLine("(`GC.GetAllocatedBytesForCurrentThread` over 64 calls after 8), `all threads` BenchmarkDotNet's MemoryDiagnoser figure,");
        b.AppendLine("which also counts what the runtime's own threads allocate meanwhile. `size` N is the");
        b.AppendLine("number of parameters. The MLP 784-128-10 has no tape contender: its tape would hold about 10⁸ nodes.");
        if (rows.Any(r => r.NumericEstimated))
        {
            b.AppendLine($"\\* estimated as 2N × the value's median: a numeric gradient is timed only when it should take under {numericBudget * 1000:0} ms a call.");
        }

        b.AppendLine();
        b.AppendLine("## GFLOP/s against the machine's peak");
        b.AppendLine();
        b.AppendLine(Flops(rows, peak));

        b.AppendLine("## Data-parallel evaluation");
        b.AppendLine();
        b.AppendLine(DataParallelTable(parallelRows));

        b.AppendLine("## Targets");
        b.AppendLine();
        b.AppendLine(Targets(rows, parallelRows));

        b.AppendLine("## Second order: Hessian-vector products, Hessians, Newton-CG, Levenberg–Marquardt");
        b.AppendLine();
        b.AppendLine(secondOrder);

        b.AppendLine("## Contenders");
        b.AppendLine();
        b.AppendLine("- **hand-written**: value and analytic gradient in plain C#, one pass where the math allows (`Problems/*.cs`, `Hand`).");
        b.AppendLine("- **generated**: the `NameGradient` the generator writes from the `[Differentiable]` sources in `Generated/`.");
        b.AppendLine("- **PyTorch**: `Torch/torch_bench.py`, each problem written as a PyTorch user writes it: float64 tensors, the");
        b.AppendLine("  parameters as leaves with `requires_grad`, vectorized operations (`F.linear`, `F.cross_entropy`,");
        b.AppendLine("  `F.binary_cross_entropy_with_logits`, `torch.logsumexp`, ADBench's GMM objective vectorized over points and");
        b.AppendLine("  components with `einsum`), `loss.backward()`, the gradients reset before each call (`grad = None`, what");
        b.AppendLine("  `zero_grad()` does by default since PyTorch 2). One thread: `torch.set_num_threads(1)`, and OpenMP and OpenBLAS");
        b.AppendLine("  limited to one thread before torch loads. The data are the very arrays the C# contenders read, written to raw");
        b.AppendLine("  files; timed by `torch.utils.benchmark.Timer.blocked_autorange` (warm-up while it sizes blocks, then the median");
        b.AppendLine($"  per call over blocks, {(quick ? "0.2" : "0.7")} s per case), in its own process after BenchmarkDotNet's runs, in {(quick ? 1 : TorchRounds)} round(s) paired with the generated gradient (above).");
        b.AppendLine(torch.Runner is { } runner ? $"  This run: {runner.Info}." : $"  This run: not measured ({torch.WhyNot}).");
        b.AppendLine("- **tape**: `Tape/`, operator overloading on a `Var` struct that records one node per operation (two parents and the");
        b.AppendLine("  local partials computed at record time) into flat arrays reused across calls, then one reverse sweep; no allocation");
        b.AppendLine("  per operation or per call in steady state. The objective is the same code written on `Var`: the zero-overhead tape baseline.");
        b.AppendLine("- **numeric**: centered differences, 2N evaluations of the value, step ∛ε·max(1, |xᵢ|).");
        b.AppendLine("- **value only**: the function itself (the `[Differentiable]` method).");
        b.AppendLine();
        b.AppendLine("`verify` checks before every report that the tape, generated and PyTorch gradients agree with the hand-written ones");
        b.AppendLine("to 1e-9 (relative to the largest component), that the generated value is bit for bit the function's, that centered");
        b.AppendLine("differences agree to their truncation error, and that the data-parallel rows agree with the hand-written gradient and");
        b.AppendLine("have the same bits on one thread and on every core; the report is not written otherwise, and PyTorch is timed only");
        b.AppendLine("on the cases it verified. Data come from fixed seeds inside the project. GMM data are drawn as ADBench draws them");
        b.AppendLine("(alphas, x ~ N(0, 1), means ~ U(0, 1), icf ~ N(0, 1), γ = 1, m = 0); verify also checks a small instance with γ = 0.7, m = 2.");
        b.AppendLine();

        b.AppendLine("## Build time");
        b.AppendLine();
        b.AppendLine("The generator on one source file of 200 `[Differentiable]` methods (eight shapes: Math functions, locals, if/else,");
        b.AppendLine("?:, early return, calls between methods), driven by `CSharpGeneratorDriver` with step tracking on; then one method");
        b.AppendLine("edited and the same driver run again, as incremental builds and the IDE do. Times from `GetTimingInfo()` and the");
        b.AppendLine("`Analyze` step's `ElapsedTime`.");
        b.AppendLine();
        b.Append(buildTime.ToMarkdown());
        b.AppendLine();

        b.AppendLine("## Machine and how to rerun");
        b.AppendLine();
        b.AppendLine($"- machine: {CpuName()}, {Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture})");
        b.AppendLine($"- .NET: {RuntimeInformation.FrameworkDescription}, BenchmarkDotNet 0.14.0 (in-process toolchain), Release build");
        b.AppendLine($"- PyTorch: {(torch.Runner is { } r2 ? r2.Info.ToString() : "not installed")}");
        b.AppendLine($"- date: {DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC; this {(quick ? "quick" : "full")} run took {elapsed.TotalMinutes:0.0} min");
        b.AppendLine($"- PyTorch contender: `{TorchRunner.InstallCommand}` (Debian 12; about 150 MB to download, 640 MB installed)");
        b.AppendLine("- full report: `dotnet run -c Release --project bench/SymbolicGrad.Benchmarks -- report`");
        b.AppendLine("- quick report (a few minutes): `dotnet run -c Release --project bench/SymbolicGrad.Benchmarks -- report --quick`");
        b.AppendLine("- gradients only, no timing (CI): `dotnet run -c Release --project bench/SymbolicGrad.Benchmarks -- verify`");
        return b.ToString();
    }

    private static string Flops(IReadOnlyList<Row> rows, PeakFlopsResult peak)
    {
        var b = new StringBuilder();
        string V(double? g) => g is { } v ? v.ToString(v < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) : "n/a";
        b.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Peak of one core, measured in this run by an FMA throughput kernel (`PeakFlops.cs`: 12 independent FMA chains): **{peak.Best:0.0} GFLOP/s**"));
        b.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"(Vector512: {V(peak.Vector512)}, Vector256: {V(peak.Vector256)}, scalar `Math.FusedMultiplyAdd`: {V(peak.Scalar)}; float64, 2 flops per FMA lane)."));
        b.AppendLine();
        b.AppendLine("| problem | size | MFLOP per gradient | hand-written | generated | PyTorch | generated, % of peak | PyTorch, % of peak |");
        b.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var r in rows.Where(r => r.GradientFlops > 0))
        {
            double? Rate(double? ns) => ns is { } t ? r.GradientFlops / t : null; // flops per ns = GFLOP/s
            string Percent(double? rate) => rate is { } x ? (100 * x / peak.Best).ToString("0.0", CultureInfo.InvariantCulture) + " %" : "n/a";
            b.AppendLine(string.Join(" | ", "| " + r.Problem, r.Size, (r.GradientFlops / 1e6).ToString(r.GradientFlops < 1e7 ? "0.000" : "0.0", CultureInfo.InvariantCulture),
                V(Rate(r.Hand)), V(Rate(r.Generated)), V(Rate(r.Torch)), Percent(Rate(r.Generated)), Percent(Rate(r.Torch))) + " |");
        }

        b.AppendLine();
        b.AppendLine("GFLOP/s = the nominal flops of one gradient over its median time. The count is 2 per multiply-add of the dense");
        b.AppendLine("products a gradient needs, forward and reverse, nothing else (no exp, tanh, log): for the MLPs both layers forward,");
        b.AppendLine("∂W1 and, for the last layer, ∂W2 and ∂h (no gradient for the inputs); for the GMM, per point and component,");
        b.AppendLine("Qₖ(xᵢ − μₖ) (D(D + 1)/2: diagonal and lower triangle), its two adjoint products and ‖·‖² with its adjoint.");
        b.AppendLine("The same count for every contender, whatever it really executes.");
        return b.ToString();
    }

    internal static string DataParallelTable(IReadOnlyList<DataParallelRow> rows)
    {
        var b = new StringBuilder();
        int cores = Environment.ProcessorCount;
        b.AppendLine($"`ShardedObjective` ([docs/data-parallel.md](data-parallel.md)) over generated shard gradients (span slices of the same");
        b.AppendLine($"data), against the generated gradient of the whole data set in one call; {cores} logical cores.");
        b.AppendLine();
        b.AppendLine($"| data set | shards | generated, one call | sharded, 1 thread | sharded, {cores} threads | speed-up over one call | speed-up over 1 thread |");
        b.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var r in rows)
        {
            b.AppendLine(string.Join(" | ", "| " + r.Case, r.Shards.ToString(CultureInfo.InvariantCulture), T(r.Serial), T(r.OneThread), T(r.AllCores),
                Format.Ratio(r.SpeedUp), Format.Ratio(r.ShardedSpeedUp)) + " |");
        }

        b.AppendLine();
        b.AppendLine("The value and the gradient have the same bits on 1 and on every thread count (fixed shards, a pairwise sum of the");
        b.AppendLine("shard results; tested with 1, 2, 3 and 8 threads, and checked again by verify). Other processes on the machine take");
        b.AppendLine("cores from the parallel run: the speed-up is only meaningful on an idle machine.");
        return b.ToString();
    }

    private static string Targets(IReadOnlyList<Row> rows, IReadOnlyList<DataParallelRow> parallelRows)
    {
        var b = new StringBuilder();
        // The targets are about methods as written: rows with Reassociate = true (sums in vector lanes, opted into) are
        // reported beside them, not counted in them.
        static bool Reassociated(Row r) => r.Size.EndsWith("Reassociate", StringComparison.Ordinal);
        var generated = rows.Where(r => r.Generated is not null && !Reassociated(r)).ToList();
        int total = rows.Count(r => !Reassociated(r));
        string over = $"over the {generated.Count} of {total} rows with a generated gradient, Reassociate rows left out";
        b.AppendLine("| target | measured | status |");
        b.AppendLine("|---|---|---|");
        if (generated.Count == 0)
        {
            b.AppendLine("| every target | no generated gradient measured | not measured |");
            return b.ToString();
        }

        double medianGh = Median(generated.Select(r => r.GeneratedOverHand));
        // A hand-written time under 1 ns is at the timer's resolution (0.10 ns against 0.62 ns says nothing): such rows
        // cannot be the worst.
        var worst = generated.Where(r => double.IsFinite(r.GeneratedOverHand) && r.Hand >= 1.0).MaxBy(r => r.GeneratedOverHand) ?? generated[0];
        double medianGv = Median(generated.Select(r => r.GradientOverValue));
        double medianTg = Median(generated.Where(r => r.Tape is not null).Select(r => r.TapeOverGenerated));
        double maxBytes = generated.Max(r => r.GeneratedThreadBytes is { } own && double.IsFinite(own) ? own : double.PositiveInfinity);
        long maxAllThreads = generated.Max(r => r.GeneratedBytes ?? long.MaxValue);
        b.AppendLine($"| generated ≤ 1.1 × hand-written at the median (issue 5; ≤ 1.0 in issue 11) | {Format.Ratio(medianGh)} ({over}) | {Status(medianGh <= 1.1)}; issue 11: {Status(medianGh <= 1.0)} |");
        b.AppendLine($"| generated ≤ 1.3 × hand-written at worst | {Format.Ratio(worst.GeneratedOverHand)} ({worst.Problem}, {worst.Size}; rows whose hand-written time is under 1 ns, the timer's resolution, left out) | {Status(worst.GeneratedOverHand <= 1.3)} |");
        b.AppendLine($"| gradient / value ≤ 3 at the median | {Format.Ratio(medianGv)} | {Status(medianGv <= 3)} |");
        b.AppendLine($"| tape ≥ 10 × slower than generated at the median | {Format.Ratio(medianTg)} | {Status(medianTg >= 10)} |");
        b.AppendLine($"| 0 bytes per call for generated gradients (on the calling thread) | max {maxBytes.ToString("0.##", CultureInfo.InvariantCulture)} (all threads, MemoryDiagnoser: max {maxAllThreads}) | {Status(maxBytes == 0)} |");
        var gmm = rows.Where(r => r.Problem.StartsWith("GMM", StringComparison.Ordinal) && !Reassociated(r)).ToList();
        var gmmReassociated = rows.Where(r => r.Problem.StartsWith("GMM", StringComparison.Ordinal) && Reassociated(r) && r.Generated is not null && r.Torch is not null).ToList();
        var gmmMeasured = gmm.Where(r => r.Generated is not null).ToList();
        string gmmHand = string.Join(", ", gmm.Select(r => Format.Ratio(r.HandOverValue)));
        if (gmmMeasured.Count < gmm.Count)
        {
            b.AppendLine($"| GMM gradient / value ≤ 4 at every size | generated n/a (needs loops); the hand-written gradient: {gmmHand} | not measured yet |");
        }
        else
        {
            double worstGmm = gmm.Max(r => r.GradientOverValue);
            b.AppendLine($"| GMM gradient / value ≤ 4 at every size (issue 5; ≤ 3 in issue 11) | worst {Format.Ratio(worstGmm)} (hand-written: {gmmHand}) | {Status(worstGmm <= 4)}; issue 11: {Status(worstGmm <= 3)} |");
            var gmmTorch = gmm.Where(r => r.Torch is not null).ToList();
            if (gmmTorch.Count == gmm.Count)
            {
                var slowest = gmmTorch.MinBy(r => r.TorchOverGenerated)!;
                b.AppendLine($"| GMM generated faster than PyTorch (1 thread) at every size (issue 11) | torch / generated at worst {Format.Ratio(slowest.TorchOverGenerated)} ({slowest.Size}) | {Status(slowest.TorchOverGenerated > 1)} |");
            }
            else
            {
                b.AppendLine("| GMM generated faster than PyTorch (1 thread) at every size (issue 11) | PyTorch not measured | not measured |");
            }

            if (gmmReassociated.Count > 0)
            {
                string each = string.Join(", ", gmmReassociated.Select(r => $"{Format.Ratio(r.TorchOverGenerated)} at {r.Size[..^", Reassociate".Length]}"));
                var slowest = gmmReassociated.MinBy(r => r.TorchOverGenerated)!;
                b.AppendLine($"| the same with Reassociate = true (not the target: opted into; its sizes only) | torch / generated {each} | {(slowest.TorchOverGenerated > 1 ? "faster at these sizes" : "slower at some")} |");
            }
        }

        var mlp = rows.FirstOrDefault(r => r.Problem.StartsWith("MLP 784", StringComparison.Ordinal));
        if (mlp is not null)
        {
            b.AppendLine(mlp.Torch is not null && mlp.Generated is not null
                ? $"| MLP 784-128-10: generated ≤ 1.5 × PyTorch (1 thread) (issue 11) | {Format.Ratio(1 / mlp.TorchOverGenerated)} × PyTorch | {Status(1 / mlp.TorchOverGenerated <= 1.5)} |"
                : "| MLP 784-128-10: generated ≤ 1.5 × PyTorch (1 thread) (issue 11) | PyTorch not measured | not measured |");
        }

        foreach (var p in parallelRows)
        {
            b.AppendLine(double.IsNaN(p.SpeedUp)
                ? $"| data-parallel speed-up ≥ 1.7 on {Environment.ProcessorCount} cores: {p.Case} (issue 11) | not measured | not measured |"
                : $"| data-parallel speed-up ≥ 1.7 on {Environment.ProcessorCount} cores: {p.Case} (issue 11) | {Format.Ratio(p.SpeedUp)} over one call ({Format.Ratio(p.ShardedSpeedUp)} over 1 thread) | {Status(p.SpeedUp >= 1.7)} |");
        }

        b.AppendLine();
        if (generated.Count < total)
        {
            b.AppendLine($"While loops are switched off, the medians are over the {generated.Count} small scalar functions only, whose times are a few");
            b.AppendLine("nanoseconds, close to the resolution of the measurement: they say little about the loop problems.");
            b.AppendLine();
        }

        return b.ToString();
    }

    private static string Status(bool met) => met ? "met" : "**missed**";

    private static string T(double? ns) => ns is { } v ? Format.Time(v) : "n/a";

    /// <summary>Rounds of PyTorch timings, each paired with a timing of the generated gradients (full run).</summary>
    private const int TorchRounds = 3;

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        int n = sorted.Count;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }

    private static string CpuName()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
                if (line is not null)
                {
                    return line[(line.IndexOf(':') + 1)..].Trim();
                }
            }
        }
        catch (IOException)
        {
        }

        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    /// <summary>The folder holding SymbolicGrad.sln, found upwards from the working directory, then from the binary.</summary>
    private static string RepositoryRoot()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "SymbolicGrad.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("SymbolicGrad.sln not found above the working directory: pass --out FILE.");
    }
}
