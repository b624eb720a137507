using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using SymbolicGrad.Generator;

namespace SymbolicGrad.Benchmarks;

/// <summary>The generator's cost at build time, measured with <see cref="CSharpGeneratorDriver"/> and its step timings.</summary>
public sealed record BuildTimeResult(
    int Methods,
    int GeneratedFiles,
    TimeSpan ColdTotal,
    TimeSpan FullTotal,
    TimeSpan FullAnalyze,
    TimeSpan IncrementalTotal,
    TimeSpan IncrementalAnalyze,
    int IncrementalModifiedFiles,
    int Repetitions)
{
    /// <summary>Generator time against the size of one method (a sum of n terms), one row per size.</summary>
    public IReadOnlyList<(int Terms, TimeSpan Total)> Scaling { get; init; } = [];

    /// <summary>The incremental run's time by step (Key, Lower, Generate: the sum over the methods each ran on), median of each.</summary>
    public string IncrementalSteps { get; init; } = string.Empty;

    /// <summary>The fewest gradient files an incremental run rewrote (<see cref="IncrementalModifiedFiles"/> is the most).</summary>
    public int IncrementalModifiedFilesMin { get; init; }

    public string ToMarkdown()
    {
        var b = new StringBuilder();
        b.AppendLine("| generator run | total (driver timing) | Analyze step (sum over methods) | gradient files written |");
        b.AppendLine("|---|---|---|---|");
        b.AppendLine($"| first run in the process, {Methods} methods (includes JIT of the generator) | {Format.Time(ColdTotal)} | | {GeneratedFiles} |");
        b.AppendLine($"| full run, {Methods} methods (median of {Repetitions}, warm: after 6 untimed runs) | {Format.Time(FullTotal)} | {Format.Time(FullAnalyze)} | {GeneratedFiles} |");
        b.AppendLine($"| incremental run after editing one method (median of {Repetitions}) | {Format.Time(IncrementalTotal)} | {Format.Time(IncrementalAnalyze)} | {(IncrementalModifiedFilesMin == IncrementalModifiedFiles ? IncrementalModifiedFiles.ToString(CultureInfo.InvariantCulture) : IncrementalModifiedFilesMin.ToString(CultureInfo.InvariantCulture) + " to " + IncrementalModifiedFiles.ToString(CultureInfo.InvariantCulture) + " (the edited method, and the methods that inline it)")} |");
        if (IncrementalSteps.Length > 0)
        {
            b.AppendLine();
            b.AppendLine("The incremental run by step (median of each): " + IncrementalSteps + ".");
        }

        if (Scaling.Count > 1)
        {
            b.AppendLine();
            b.AppendLine("Generator time against the size of one method, `return t1 + t2 + ... + tn;` with `ti = c·x·y` (warm, median of 3, a freshly parsed tree each run; the whole run: binding, lowering, both sweeps, optimization, printing):");
            b.AppendLine();
            b.AppendLine("| terms | generator run | per 1,000 terms | time / time of the previous row |");
            b.AppendLine("|---|---|---|---|");
            for (int i = 0; i < Scaling.Count; i++)
            {
                var (terms, total) = Scaling[i];
                string growth = i == 0 ? string.Empty : (total.TotalMilliseconds / Scaling[i - 1].Total.TotalMilliseconds).ToString("0.0", CultureInfo.InvariantCulture)
                    + " for " + ((double)terms / Scaling[i - 1].Terms).ToString("0.#", CultureInfo.InvariantCulture) + "× the terms";
                b.AppendLine($"| {terms.ToString("N0", CultureInfo.InvariantCulture)} | {Format.Time(total)} | {Format.Time(TimeSpan.FromTicks(total.Ticks * 1000 / terms))} | {growth} |");
            }

            var (first, firstTime) = Scaling[0];
            var (last, lastTime) = Scaling[^1];
            double slope = (lastTime - firstTime).TotalMilliseconds / (last - first) * 1000;
            b.AppendLine();
            b.AppendLine($"Slope from {first.ToString("N0", CultureInfo.InvariantCulture)} to {last.ToString("N0", CultureInfo.InvariantCulture)} terms: {slope.ToString("0.0", CultureInfo.InvariantCulture)} ms per 1,000 terms.");
        }

        // The issue's targets, from the numbers above.
        static string Status(bool met) => met ? "met" : "**missed**";
        var perMethod = TimeSpan.FromTicks(FullTotal.Ticks / Math.Max(1, Methods));
        b.AppendLine();
        b.AppendLine("| target (issue 8) | measured | status |");
        b.AppendLine("|---|---|---|");
        b.AppendLine($"| under 1 ms per typical method, warm (full run / methods) | {Format.Time(perMethod)} | {Status(perMethod < TimeSpan.FromMilliseconds(1))} |");
        b.AppendLine($"| incremental run after editing one method under 20 ms | {Format.Time(IncrementalTotal)} | {Status(IncrementalTotal < TimeSpan.FromMilliseconds(20))} |");
        if (Scaling.FirstOrDefault(r => r.Terms == 10_000) is { Terms: > 0 } tenThousand)
        {
            b.AppendLine($"| a 10,000-term sum under 2 s | {Format.Time(tenThousand.Total)} | {Status(tenThousand.Total < TimeSpan.FromSeconds(2))} |");
        }

        return b.ToString();
    }
}

/// <summary>
/// Builds a source file of 200 [Differentiable] methods (eight shapes: Math functions, locals, if/else, ?:, early
/// return, calls between the methods), runs the generator on it, then edits one method and runs it again on the same
/// driver, as the IDE and incremental builds do.
/// </summary>
public static class BuildTime
{
    private const int MethodCount = 200;

    private const int WarmUp = 6;

    public static BuildTimeResult Measure(bool quick)
    {
        int repetitions = quick ? 3 : 9;
        var parseOptions = new CSharpParseOptions(LanguageVersion.CSharp12);
        var compilation = CSharpCompilation.Create(
            "BuildTime",
            [CSharpSyntaxTree.ParseText(Source(edited: -1, bump: 0), parseOptions, path: "Losses.cs")],
            References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        var invalid = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (invalid.Count > 0)
        {
            throw new InvalidOperationException("The build-time source does not compile:\n" + string.Join("\n", invalid.Take(10)));
        }

        // first run in this process: the generator's code is jitted as it goes
        var cold = Run(NewDriver(parseOptions), compilation, out var coldResult);
        int files = coldResult.Results.Single().GeneratedSources.Length;
        var errors = coldResult.Diagnostics.Concat(coldResult.Results.SelectMany(r => r.Diagnostics)).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0 || files != MethodCount)
        {
            throw new InvalidOperationException(
                $"The build-time source should give {MethodCount} gradients and no error; got {files} files and:\n" + string.Join("\n", errors.Take(10)));
        }

        var full = new List<(TimeSpan Total, TimeSpan Analyze)>();
        GeneratorDriver driver = NewDriver(parseOptions);

        // Warm-up runs, not timed: the generator's code reaches the optimized tier of the JIT, as it has in the
        // compiler server a build talks to (with only the cold run before them, the median of 9 moved by 30% between
        // two runs of this table).
        for (int r = -WarmUp; r < repetitions; r++)
        {
            // a fresh compilation each time, as a build has: nothing bound in advance
            var fresh = compilation.ReplaceSyntaxTree(
                compilation.SyntaxTrees.Single(), CSharpSyntaxTree.ParseText(Source(edited: -1, bump: 0), parseOptions, path: "Losses.cs"));
            driver = NewDriver(parseOptions);
            var total = Run(driver, fresh, out var result);
            driver = total.Driver;
            if (r >= 0)
            {
                full.Add((total.Elapsed, AnalyzeTime(result)));
            }
        }

        var incremental = new List<(TimeSpan Total, TimeSpan Analyze, int Modified)>();
        var current = compilation.ReplaceSyntaxTree(
            compilation.SyntaxTrees.Single(), CSharpSyntaxTree.ParseText(Source(edited: -1, bump: 0), parseOptions, path: "Losses.cs"));
        driver = Run(NewDriver(parseOptions), current, out _).Driver;
        var bumps = new int[MethodCount];
        var steps = new List<(string Name, TimeSpan Time, int Ran)>();
        for (int r = 0; r < repetitions; r++)
        {
            // one method edited per run, the earlier edits kept (reverting the previous edit would change two methods)
            int edited = (r * 37 + 11) % MethodCount;
            bumps[edited] += r + 1;
            var tree = CSharpSyntaxTree.ParseText(Source(bumps), parseOptions, path: "Losses.cs");
            current = current.ReplaceSyntaxTree(current.SyntaxTrees.Single(), tree);
            var total = Run(driver, current, out var result);
            driver = total.Driver;
            int modified = result.Results.Single().TrackedSteps[DifferentiableGenerator.Steps.Files]
                .SelectMany(s => s.Outputs).Count(o => o.Reason is IncrementalStepRunReason.Modified or IncrementalStepRunReason.New);
            incremental.Add((total.Elapsed, AnalyzeTime(result), modified));
            foreach (var name in new[] { DifferentiableGenerator.Steps.Key, DifferentiableGenerator.Steps.Lower, DifferentiableGenerator.Steps.Generate })
            {
                var runs = result.Results.Single().TrackedSteps[name];
                steps.Add((name, new TimeSpan(runs.Sum(s => s.ElapsedTime.Ticks)), runs.SelectMany(s => s.Outputs).Count(o => o.Reason is IncrementalStepRunReason.Modified or IncrementalStepRunReason.New or IncrementalStepRunReason.Unchanged)));
            }
        }

        var scaling = new List<(int, TimeSpan)>();
        foreach (int terms in quick ? new[] { 100, 1_000, 10_000 } : new[] { 100, 1_000, 3_000, 10_000 })
        {
            scaling.Add((terms, MeasureSum(terms, parseOptions)));
        }

        return new BuildTimeResult(
            MethodCount, files, cold.Elapsed,
            Median(full.Select(f => f.Total)), Median(full.Select(f => f.Analyze)),
            Median(incremental.Select(i => i.Total)), Median(incremental.Select(i => i.Analyze)),
            incremental.Max(i => i.Modified), repetitions)
        {
            Scaling = scaling,
            IncrementalModifiedFilesMin = incremental.Min(i => i.Modified),
            IncrementalSteps = string.Join(", ", steps.GroupBy(s => s.Name).Select(g => g.Key + " " + Format.Time(Median(g.Select(s => s.Time))) + " (ran for " + Median(g.Select(s => TimeSpan.FromTicks(s.Ran))).Ticks.ToString(CultureInfo.InvariantCulture) + " methods)")),
        };
    }

    /// <summary>The generator's time on one method whose body is a sum of <paramref name="terms"/> products (median of three warm runs).</summary>
    private static TimeSpan MeasureSum(int terms, CSharpParseOptions parseOptions)
    {
        var b = new StringBuilder();
        b.AppendLine("using SymbolicGrad;");
        b.AppendLine("public static partial class Sums");
        b.AppendLine("{");
        b.Append("    [Differentiable] public static double F(double x, double y) => ");
        for (int i = 0; i < terms; i++)
        {
            if (i > 0)
            {
                b.Append(" + ");
            }

            b.Append((1 + (i % 97) / 64.0).ToString("0.0#####", CultureInfo.InvariantCulture)).Append(" * x * y");
        }

        b.AppendLine(";");
        b.AppendLine("}");
        string source = b.ToString();
        var times = new List<TimeSpan>();
        var first = CSharpCompilation.Create(
            "Sum" + terms.ToString(CultureInfo.InvariantCulture),
            [CSharpSyntaxTree.ParseText(source, parseOptions, path: "Sums.cs")],
            References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        for (int r = 0; r < 4; r++)
        {
            // As for the 200 methods: a freshly parsed tree (nothing bound) in a compilation whose references are
            // loaded, as a build has them before generators run. A new compilation each time also timed loading the
            // references' symbols (about 70 ms, the whole of the 100-term row).
            var compilation = r == 0 ? first : first.ReplaceSyntaxTree(first.SyntaxTrees.Single(), CSharpSyntaxTree.ParseText(source, parseOptions, path: "Sums.cs"));
            var run = Run(NewDriver(parseOptions), compilation, out var result);
            if (result.Results.Single().GeneratedSources.Length != 1 || result.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
            {
                throw new InvalidOperationException($"The {terms}-term sum should give one gradient and no error: " + string.Join("\n", result.Diagnostics.Take(5)));
            }

            if (r > 0)
            {
                times.Add(run.Elapsed);
            }
        }

        return Median(times);
    }

    /// <summary>Runs the generator on one C# file and prints what it wrote and reported (for reading the generated code).</summary>
    public static void Print(string path, TextWriter output)
    {
        var parseOptions = new CSharpParseOptions(LanguageVersion.CSharp12);
        var compilation = CSharpCompilation.Create(
            "Print", [CSharpSyntaxTree.ParseText(File.ReadAllText(path), parseOptions, path: path)], References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        Run(NewDriver(parseOptions), compilation, out var result);
        foreach (var source in result.Results.Single().GeneratedSources)
        {
            output.WriteLine("// ---- " + source.HintName);
            output.WriteLine(source.SourceText.ToString());
        }

        foreach (var diagnostic in result.Diagnostics)
        {
            output.WriteLine(diagnostic.ToString());
        }
    }

    private static GeneratorDriver NewDriver(CSharpParseOptions parseOptions) =>
        CSharpGeneratorDriver.Create(
            [new DifferentiableGenerator().AsSourceGenerator()],
            parseOptions: parseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    private static (GeneratorDriver Driver, TimeSpan Elapsed) Run(GeneratorDriver driver, Compilation compilation, out GeneratorDriverRunResult result)
    {
        driver = driver.RunGenerators(compilation);
        result = driver.GetRunResult();
        return (driver, driver.GetTimingInfo().ElapsedTime);
    }

    /// <summary>The front end (discovery, lowering) and the back end (sweeps, optimizations, emit), summed over the methods they ran on.</summary>
    private static TimeSpan AnalyzeTime(GeneratorDriverRunResult result)
    {
        var steps = result.Results.Single().TrackedSteps;
        long ticks = 0;
        foreach (var name in new[] { DifferentiableGenerator.Steps.Key, DifferentiableGenerator.Steps.Lower, DifferentiableGenerator.Steps.Generate })
        {
            if (steps.TryGetValue(name, out var runs))
            {
                ticks += runs.Sum(s => s.ElapsedTime.Ticks);
            }
        }

        return new TimeSpan(ticks);
    }

    private static TimeSpan Median(IEnumerable<TimeSpan> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return sorted[sorted.Count / 2];
    }

    private static MetadataReference[] References()
    {
        var trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return trusted
            .Where(p => Path.GetFileName(p) is var n && (n.StartsWith("System.", StringComparison.Ordinal) || n is "netstandard.dll" or "mscorlib.dll"))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .Append(MetadataReference.CreateFromFile(typeof(DifferentiableAttribute).Assembly.Location))
            .ToArray();
    }

    /// <summary>The 200 methods; method <paramref name="edited"/> gets its first constant changed by <paramref name="bump"/>/4.</summary>
    public static string Source(int edited, int bump)
    {
        var bumps = new int[MethodCount];
        if (edited >= 0)
        {
            bumps[edited] = bump;
        }

        return Source(bumps);
    }

    /// <summary>The 200 methods; method i gets its first constant changed by bumps[i]/4.</summary>
    public static string Source(int[] bumps)
    {
        var b = new StringBuilder();
        b.AppendLine("using System;");
        b.AppendLine("using SymbolicGrad;");
        b.AppendLine("namespace BuildTime;");
        b.AppendLine("public static partial class Losses");
        b.AppendLine("{");
        for (int i = 0; i < MethodCount; i++)
        {
            double c = 1.0 + (i % 7) * 0.5 + bumps[i] * 0.25;
            double c2 = 0.5 + (i % 5) * 0.25;
            string cs = c.ToString("0.0##", CultureInfo.InvariantCulture);
            string c2s = c2.ToString("0.0##", CultureInfo.InvariantCulture);
            b.AppendLine("    [Differentiable]");
            b.Append("    public static double F").Append(i).Append("(double x, double y, double z)");
            b.AppendLine((i % 8) switch
            {
                0 => $" => (x - {cs}) * (x - {cs}) + {c2s} * y * y + Math.Sin(z);",
                1 => $"\n    {{\n        double r = Math.Sqrt(x * x + y * y + {cs});\n        if (r > 1)\n        {{\n            r = Math.Log(r) + z;\n        }}\n\n        return r * Math.Exp(-{c2s} * z);\n    }}",
                2 => $" => Math.Tanh({cs} * x + y) * z - Math.Pow(y, 2) / (1 + x * x);",
                3 => $" => x > y ? Math.Cos(x * z) + {cs} : Math.Atan2(y, {cs} + z * z);",
                4 => $" => F{i - 4}(x, y, z) * {cs} + Math.Abs(x) * {c2s};",
                5 => $"\n    {{\n        double s = {cs};\n        s += x * y;\n        s *= {c2s};\n        s -= z / (1 + y * y);\n        return Math.Max(s, x) + double.Hypot(x, z);\n    }}",
                6 => $" => 1 / (1 + Math.Exp(-({cs} * x + y - z)));",
                _ => $"\n    {{\n        if (x < {cs})\n        {{\n            return x * x * y;\n        }}\n\n        double t = x - {cs};\n        return t * t * t + Math.Cbrt(z * z + 1);\n    }}",
            });
            b.AppendLine();
        }

        b.AppendLine("}");
        return b.ToString();
    }
}
