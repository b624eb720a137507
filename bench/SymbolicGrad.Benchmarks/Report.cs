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

namespace SymbolicGrad.Benchmarks;

/// <summary>One row of the table: a problem at one size, the median time of each contender, and the generated gradient's allocation.</summary>
public sealed record Row(string Problem, string Size, int Dimension, bool HasGenerated, double? Hand, double? Generated, double? Tape,
    double? Numeric, bool NumericEstimated, double? Value, long? GeneratedBytes)
{
    public double GeneratedOverHand => Generated is { } g && Hand is { } h ? g / h : double.NaN;
    public double TapeOverGenerated => Tape is { } t && Generated is { } g ? t / g : double.NaN;
    public double GradientOverValue => Generated is { } g && Value is { } v ? g / v : double.NaN;
    public double HandOverValue => Hand is { } h && Value is { } v ? h / v : double.NaN;
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
        if (!Verifier.RunAll(Console.Out))
        {
            Console.Error.WriteLine("report: not written, the contenders disagree.");
            return 1;
        }

        Console.WriteLine("== build time");
        var buildTime = BuildTime.Measure(quick);
        Console.WriteLine(buildTime.ToMarkdown());

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
            var entry = byType[c.Descriptor.Type];
            string method = c.Descriptor.WorkloadMethod.Name;
            string size = (string)c.Parameters["Size"];
            return method switch
            {
                "Generated" => entry.HasGenerated,
                "Numeric" => !estimateNumeric.Contains((entry.Name, size)),
                _ => true,
            };
        }

        Console.WriteLine("== BenchmarkDotNet");
        var config = Config(quick).AddFilter(new SimpleFilter(Include));
        var summaries = BenchmarkRunner.Run(ProblemCatalog.All.Select(e => e.BenchmarkType).ToArray(), config);

        var times = new Dictionary<(string Problem, string Size, string Method), (double Median, long? Bytes)>();
        foreach (var report in summaries.SelectMany(s => s.Reports))
        {
            if (report.ResultStatistics is null)
            {
                continue;
            }

            var entry = byType[report.BenchmarkCase.Descriptor.Type];
            string size = (string)report.BenchmarkCase.Parameters["Size"];
            long? bytes = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase);
            times[(entry.Name, size, report.BenchmarkCase.Descriptor.WorkloadMethod.Name)] = (report.ResultStatistics.Median, bytes);
        }

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
                    numeric, estimated, value, bytes));
            }
        }

        string markdown = Markdown(rows, buildTime, quick, watch.Elapsed, NumericBudgetSeconds(quick));
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(outPath))!);
        File.WriteAllText(outPath, markdown);
        Console.WriteLine(markdown);
        Console.WriteLine($"report: wrote {outPath} in {watch.Elapsed.TotalSeconds:0} s");
        return 0;
    }

    private static ManualConfig Config(bool quick)
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

    private static string Markdown(IReadOnlyList<Row> rows, BuildTimeResult buildTime, bool quick, TimeSpan elapsed, double numericBudget)
    {
        var b = new StringBuilder();
        b.AppendLine("# Benchmarks");
        b.AppendLine();
        b.AppendLine("Generated gradients against hand-written gradients, a tape-based reverse mode, centered differences and the function");
        b.AppendLine("value alone (issue 5). Written by `bench/SymbolicGrad.Benchmarks`; every number below comes from that code.");
        b.AppendLine();
        if (quick)
        {
            b.AppendLine("> **Quick run** (`--quick`: 5 iterations of 40 ms per case, not the full BenchmarkDotNet run): the numbers are");
            b.AppendLine("> indicative; sub-nanosecond differences and the smallest functions are noisy. Regenerate with the full command below.");
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

        b.AppendLine("| problem | size | hand-written | generated | tape | numeric | value only | generated / hand | tape / generated | gradient / value | bytes per call |");
        b.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in rows)
        {
            string numeric = r.Numeric is { } n ? (r.NumericEstimated ? "~" + Format.Time(n) + "*" : Format.Time(n)) : "n/a";
            b.AppendLine(string.Join(" | ",
                "| " + r.Problem, r.Size, T(r.Hand), T(r.Generated), T(r.Tape), numeric, T(r.Value),
                Format.Ratio(r.GeneratedOverHand), Format.Ratio(r.TapeOverGenerated), Format.Ratio(r.GradientOverValue),
                r.GeneratedBytes is { } bytes ? bytes.ToString(CultureInfo.InvariantCulture) : "n/a") + " |");
        }

        b.AppendLine();
        b.AppendLine("Times are BenchmarkDotNet medians of one call. `gradient / value` is the generated gradient's time over the value's;");
        b.AppendLine("`bytes per call` is the generated gradient's allocation (MemoryDiagnoser). `size` N is the number of parameters.");
        if (rows.Any(r => r.NumericEstimated))
        {
            b.AppendLine($"\\* estimated as 2N × the value's median: a numeric gradient is timed only when it should take under {numericBudget * 1000:0} ms a call.");
        }

        b.AppendLine();
        b.AppendLine("## Targets");
        b.AppendLine();
        b.AppendLine(Targets(rows));

        b.AppendLine("## Contenders");
        b.AppendLine();
        b.AppendLine("- **hand-written**: value and analytic gradient in plain C#, one pass where the math allows (`Problems/*.cs`, `Hand`).");
        b.AppendLine("- **generated**: the `NameGradient` the generator writes from the `[Differentiable]` sources in `Generated/`.");
        b.AppendLine("- **tape**: `Tape/`, operator overloading on a `Var` struct that records one node per operation (two parents and the");
        b.AppendLine("  local partials computed at record time) into flat arrays reused across calls, then one reverse sweep; no allocation");
        b.AppendLine("  per operation or per call in steady state. The objective is the same code written on `Var`.");
        b.AppendLine("- **numeric**: centered differences, 2N evaluations of the value, step ∛ε·max(1, |xᵢ|).");
        b.AppendLine("- **value only**: the function itself (the `[Differentiable]` method).");
        b.AppendLine();
        b.AppendLine("`verify` checks before every report that the tape and generated gradients agree with the hand-written ones to 1e-9");
        b.AppendLine("(relative to the largest component), that the generated value is bit for bit the function's, and that centered");
        b.AppendLine("differences agree to their truncation error; the report is not written otherwise. Data come from fixed seeds");
        b.AppendLine("inside the project. GMM data are drawn as ADBench draws them (alphas, x ~ N(0, 1), means ~ U(0, 1), icf ~ N(0, 1),");
        b.AppendLine("γ = 1, m = 0); verify also checks a small instance with γ = 0.7, m = 2.");
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
        b.AppendLine($"- date: {DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC; this {(quick ? "quick" : "full")} run took {elapsed.TotalMinutes:0.0} min");
        b.AppendLine("- full report: `dotnet run -c Release --project bench/SymbolicGrad.Benchmarks -- report`");
        b.AppendLine("- quick report (under 3 minutes): `dotnet run -c Release --project bench/SymbolicGrad.Benchmarks -- report --quick`");
        b.AppendLine("- gradients only, no timing (CI): `dotnet run -c Release --project bench/SymbolicGrad.Benchmarks -- verify`");
        return b.ToString();
    }

    private static string Targets(IReadOnlyList<Row> rows)
    {
        var b = new StringBuilder();
        var generated = rows.Where(r => r.Generated is not null).ToList();
        int total = rows.Count;
        string over = $"over the {generated.Count} of {total} rows with a generated gradient";
        b.AppendLine("| target | measured | status |");
        b.AppendLine("|---|---|---|");
        if (generated.Count == 0)
        {
            b.AppendLine("| every target | no generated gradient measured | not measured |");
            return b.ToString();
        }

        double medianGh = Median(generated.Select(r => r.GeneratedOverHand));
        var worst = generated.MaxBy(r => r.GeneratedOverHand)!;
        double medianGv = Median(generated.Select(r => r.GradientOverValue));
        double medianTg = Median(generated.Select(r => r.TapeOverGenerated));
        long maxBytes = generated.Max(r => r.GeneratedBytes ?? long.MaxValue);
        b.AppendLine($"| generated ≤ 1.1 × hand-written at the median | {Format.Ratio(medianGh)} ({over}) | {Status(medianGh <= 1.1)} |");
        b.AppendLine($"| generated ≤ 1.3 × hand-written at worst | {Format.Ratio(worst.GeneratedOverHand)} ({worst.Problem}, {worst.Size}) | {Status(worst.GeneratedOverHand <= 1.3)} |");
        b.AppendLine($"| gradient / value ≤ 3 at the median | {Format.Ratio(medianGv)} | {Status(medianGv <= 3)} |");
        b.AppendLine($"| tape ≥ 10 × slower than generated at the median | {Format.Ratio(medianTg)} | {Status(medianTg >= 10)} |");
        b.AppendLine($"| 0 bytes per call for generated gradients | max {maxBytes} | {Status(maxBytes == 0)} |");
        var gmm = rows.Where(r => r.Problem.StartsWith("GMM", StringComparison.Ordinal)).ToList();
        var gmmMeasured = gmm.Where(r => r.Generated is not null).ToList();
        string gmmHand = string.Join(", ", gmm.Select(r => Format.Ratio(r.HandOverValue)));
        if (gmmMeasured.Count < gmm.Count)
        {
            b.AppendLine($"| GMM gradient / value ≤ 4 at every size | generated n/a (needs loops); the hand-written gradient: {gmmHand} | not measured yet |");
        }
        else
        {
            double worstGmm = gmm.Max(r => r.GradientOverValue);
            b.AppendLine($"| GMM gradient / value ≤ 4 at every size | worst {Format.Ratio(worstGmm)} (hand-written: {gmmHand}) | {Status(worstGmm <= 4)} |");
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
