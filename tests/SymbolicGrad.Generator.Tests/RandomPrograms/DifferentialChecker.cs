using System.Globalization;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using SymbolicGrad.Generator;

namespace SymbolicGrad.Generator.Tests.RandomPrograms;

/// <summary>Tolerances of the differential check. Calibrated to numeric noise, never widened to hide a failure.</summary>
public sealed record CheckTolerance(double Absolute, double Relative, double StepScale)
{
    /// <summary>Double arithmetic: Richardson-extrapolated differences are good to ~1e-9 here; GradientCheck's defaults.</summary>
    public static CheckTolerance Double { get; } = new(1e-6, 1e-5, 1.0);

    /// <summary>
    /// The value goes through float somewhere: f is only float-accurate (~6e-8 relative), so the steps are 20x
    /// larger (rounding noise ~ 6e-8·|f| / h) and the tolerance is float-sized.
    /// </summary>
    public static CheckTolerance Float { get; } = new(1e-4, 1e-4, 20.0);

    public double Of(double numeric, double value) => Absolute * Math.Max(1.0, Math.Abs(value) / 10) + Relative * Math.Abs(numeric);
}

public enum PointVerdict
{
    Passed,

    /// <summary>Numeric estimates at two step sizes disagree: the point is near a kink, a jump or a branch boundary.</summary>
    NotSmooth,
    Failed,
}

public sealed record PointResult(PointVerdict Verdict, double[] Point, double Value, double[] Analytic, double[] Numeric, double[] NumericHalf, string? Problem)
{
    public double WorstRatio { get; init; }

    public string Table(IReadOnlyList<string> names)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(inv, $"value {Value:R}\n");
        sb.Append(inv, $"{"param",-6} {"x",-24} {"analytic",-24} {"numeric (h)",-24} {"numeric (h/2)",-24}\n");
        for (int i = 0; i < Point.Length; i++)
        {
            sb.Append(inv, $"{names[i],-6} {Point[i],-24:R} {Analytic[i],-24:R} {(i < Numeric.Length ? Numeric[i] : double.NaN),-24:R} {(i < NumericHalf.Length ? NumericHalf[i] : double.NaN),-24:R}\n");
        }

        return sb.ToString();
    }
}

/// <summary>
/// Compares a generated gradient with Richardson-extrapolated centered differences at one point, with a smoothness
/// test: the numeric gradient at steps h and h/2 (each Richardson-extrapolated) must agree to a quarter of the
/// tolerance, else the stencil straddles a kink, a jump (Floor, %, a branch) or a branch boundary and the point is
/// reported <see cref="PointVerdict.NotSmooth"/> for the caller to resample. A mismatch at a smooth point is
/// confirmed at h/8 before it is reported, so a kink just inside both stencils cannot fail a correct gradient.
/// The value returned with the gradient must equal the function's value bit for bit at every point, smooth or not.
/// </summary>
public static class DifferentialChecker
{
    public static PointResult CheckPoint(DifferentiableFunction f, double[] x, CheckTolerance tolerance)
    {
        int n = x.Length;
        double value = f.Value(x);
        var analytic = new double[n];
        double valueFromGradient = f.ValueAndGradient(x, analytic);
        if (BitConverter.DoubleToInt64Bits(value) != BitConverter.DoubleToInt64Bits(valueFromGradient))
        {
            return new PointResult(PointVerdict.Failed, x, value, analytic, Array.Empty<double>(), Array.Empty<double>(),
                string.Create(CultureInfo.InvariantCulture, $"value mismatch: the method returned {value:R}, its gradient method {valueFromGradient:R} (must be bit for bit equal)"));
        }

        if (!double.IsFinite(value))
        {
            return new PointResult(PointVerdict.Failed, x, value, analytic, Array.Empty<double>(), Array.Empty<double>(),
                "the value is not finite: the random program left its domain (a bug of the test generator, not of SymbolicGrad)");
        }

        double[] h = Numeric(f, x, tolerance.StepScale);
        double[] h2 = Numeric(f, x, tolerance.StepScale / 2);
        for (int i = 0; i < n; i++)
        {
            double tol = tolerance.Of(Math.Max(Math.Abs(h[i]), Math.Abs(h2[i])), value);
            if (!double.IsFinite(h[i]) || !double.IsFinite(h2[i]) || Math.Abs(h[i] - h2[i]) > tol / 4)
            {
                return new PointResult(PointVerdict.NotSmooth, x, value, analytic, h, h2, null);
            }
        }

        double worst = 0;
        for (int i = 0; i < n; i++)
        {
            double ratio = Math.Abs(analytic[i] - h[i]) / tolerance.Of(h[i], value);
            worst = double.IsNaN(ratio) ? double.PositiveInfinity : Math.Max(worst, ratio);
        }

        if (worst <= 1)
        {
            return new PointResult(PointVerdict.Passed, x, value, analytic, h, h2, null) { WorstRatio = worst };
        }

        // Confirm at a much finer step: a kink close enough to x to sit inside both stencils shows up here.
        double[] h8 = Numeric(f, x, tolerance.StepScale / 8);
        for (int i = 0; i < n; i++)
        {
            if (!double.IsFinite(h8[i]) || Math.Abs(h8[i] - h[i]) > tolerance.Of(h[i], value) / 4)
            {
                return new PointResult(PointVerdict.NotSmooth, x, value, analytic, h, h2, null);
            }
        }

        return new PointResult(PointVerdict.Failed, x, value, analytic, h, h2,
            string.Create(CultureInfo.InvariantCulture, $"gradient mismatch: worst |analytic - numeric| is {worst:0.0} times the tolerance (|error| <= {tolerance.Absolute:0e0}·max(1, |f|/10) + {tolerance.Relative:0e0}·|numeric|) at a smooth point (h, h/2 and h/8 agree)"))
        { WorstRatio = worst };
    }

    private static double[] Numeric(DifferentiableFunction f, double[] x, double stepScale) =>
        NumericGradient.Compute(f.AsValue(), x, new NumericGradientOptions { Richardson = true, StepScale = stepScale });
}

/// <summary>What one batch run found.</summary>
public sealed class BatchReport
{
    public int Programs { get; set; }
    public int FloatPrograms { get; set; }
    public int PointsChecked { get; set; }
    public int PointsSkipped { get; set; }
    public int MaxSkippedInOneProgram { get; set; }
    public int ExcludedPrograms { get; set; }

    /// <summary>Programs the generator must refuse (an expected SG diagnostic, such as SG0025 for a decimal round trip of a differentiable value), and did.</summary>
    public int ExpectedRefusals { get; set; }

    /// <summary>Helpers (methods without the attribute) in the batches, called by the checked programs.</summary>
    public int Helpers { get; set; }
    public double WorstRatio { get; set; }
    public List<string> Failures { get; } = new();

    /// <summary>Hessian-vector products checked (second-order runs).</summary>
    public int SecondOrderPoints { get; set; }

    public bool SecondOrder { get; init; }
    public TimeSpan CompileTime { get; set; }
    public TimeSpan CheckTime { get; set; }
    public string Timing { get; set; } = "";

    public void Add(BatchReport other)
    {
        Programs += other.Programs;
        FloatPrograms += other.FloatPrograms;
        PointsChecked += other.PointsChecked;
        PointsSkipped += other.PointsSkipped;
        SecondOrderPoints += other.SecondOrderPoints;
        MaxSkippedInOneProgram = Math.Max(MaxSkippedInOneProgram, other.MaxSkippedInOneProgram);
        ExcludedPrograms += other.ExcludedPrograms;
        ExpectedRefusals += other.ExpectedRefusals;
        Helpers += other.Helpers;
        WorstRatio = Math.Max(WorstRatio, other.WorstRatio);
        Failures.AddRange(other.Failures);
        CompileTime += other.CompileTime;
        CheckTime += other.CheckTime;
    }
}

/// <summary>Compiles a batch with the generator in-process (via <see cref="Harness"/>), loads it and checks every method.</summary>
public static class BatchRunner
{
    public const int PointsPerProgram = 3;

    /// <summary>Attempts per program: a program whose points are skipped this often fails (skipping must not hide bugs).</summary>
    public const int MaxAttemptsPerProgram = 30;

    /// <summary>
    /// Compiles and checks one batch. With <paramref name="secondOrder"/>, every method is compiled with
    /// [Differentiable(Hessian = true)] and its Hessian-vector products are checked too (see <see cref="CheckSecondOrder"/>).
    /// </summary>
    public static BatchReport Run(RandomBatch batch, bool secondOrder = false)
    {
        if (secondOrder)
        {
            batch = new RandomBatch { Seed = batch.Seed, Methods = batch.Methods, Source = batch.Source.Replace("[Differentiable]", "[Differentiable(Hessian = true)]"), CSharp13 = batch.CSharp13 };
        }

        var report = new BatchReport { SecondOrder = secondOrder };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string reproduce = $"reproduce with SYMBOLICGRAD_RANDOM_SEED={batch.Seed} SYMBOLICGRAD_RANDOM_PROGRAMS={batch.Methods.Count(m => !m.IsHelper)} (this batch becomes batch 0)";

        GeneratorRun run;
        Compilation output;
        try
        {
            run = Compile(batch);
            output = WithCheckWrappers(run.Output, batch);
        }
        catch (Exception e)
        {
            report.Failures.Add($"batch seed {batch.Seed}: the generator driver threw {e}\n{reproduce}");
            return report;
        }

        var generatorTime = clock.Elapsed;
        if (Environment.GetEnvironmentVariable("SYMBOLICGRAD_RANDOM_DUMP") is { Length: > 0 } dump)
        {
            // Debugging aid: the batch's source and everything generated from it.
            Directory.CreateDirectory(dump);
            File.WriteAllText(Path.Combine(dump, $"batch-{batch.Seed}.cs"), batch.Source);
            File.WriteAllText(Path.Combine(dump, $"batch-{batch.Seed}.generated.cs"),
                string.Join("\n", run.Sources.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => "// " + kv.Key + "\n" + kv.Value)));
        }

        // Every loop that pushes without a check reserved that room before it (see ReservePushesTests).
        foreach (var (name, text) in run.Sources.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            try
            {
                ReservePushesTests.CheckReservations(text);
            }
            catch (Xunit.Sdk.XunitException e)
            {
                report.Failures.Add($"batch seed {batch.Seed}: {name}: {e.Message.Split('\n')[0]}\n{reproduce}");
            }
        }

        var generatorProblems = run.GeneratorDiagnostics.Where(d => d.Id.StartsWith("SG", StringComparison.Ordinal) || d.Id == "CS8785").ToList();
        var refused = new HashSet<RandomMethod>();
        var secondOrderRefused = new HashSet<RandomMethod>();
        foreach (var d in generatorProblems)
        {
            if (secondOrder && batch.Methods.Any(m => m.ExpectedDiagnostic == d.Id))
            {
                // The first-order run checks where expected refusals are (the longer attribute shifts positions here).
                continue;
            }

            var method = secondOrder ? MethodAtLine(batch, d) : MethodAt(batch, d);
            if (method is not null && method.ExpectedDiagnostic == d.Id)
            {
                refused.Add(method);
                continue;
            }

            if (secondOrder && d.Id == "SG0030" && method is { IsHelper: false } && SecondOrderMembersCollide(batch, method))
            {
                // Overloads whose objectives differ (the program generator sees to that) may still get the same
                // NameTangent or NameHessianVectorProduct: refusing that is right (issue #8 §2).
                secondOrderRefused.Add(method);
                continue;
            }

            // A diagnostic inside a helper: show the [Differentiable] method that inlined it.
            var program = method is { IsHelper: true } ? batch.Methods.FirstOrDefault(m => !m.IsHelper && m.Closure().Contains(method)) : method;
            report.Failures.Add($"batch seed {batch.Seed}: generator reported {d} on a supported program" +
                (program is null ? "" : $" (method {program.Signature}" + (program != method && method is not null ? $", inside helper {method.Signature}" : "") + $"):\n{program.StandaloneSource()}") + $"\n{reproduce}");
        }

        foreach (var m in batch.Methods.Where(m => !secondOrder && m.ExpectedDiagnostic is not null && !refused.Contains(m)))
        {
            report.Failures.Add($"batch seed {batch.Seed}, method {m.Signature}: expected {m.ExpectedDiagnostic} (a decimal round trip of a differentiable value carries no derivative), but it was not reported:\n{m.StandaloneSource()}\n{reproduce}");
        }

        // One emit (it binds every method body once; a separate GetDiagnostics would bind them all again).
        using var stream = new MemoryStream();
        var emit = output.Emit(stream);
        if (!emit.Success)
        {
            var errors = emit.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            var input = run.Input.SyntaxTrees.ToHashSet();
            foreach (var d in errors.Take(5))
            {
                if (d.Location.SourceTree is { } tree && input.Contains(tree))
                {
                    var method = MethodAt(batch, d);
                    report.Failures.Add($"batch seed {batch.Seed}: the random source does not compile (a bug of the test generator): {d}\n{method?.Source}\n{reproduce}");
                }
                else
                {
                    string generated = d.Location.SourceTree is { } t ? t.FilePath + ":\n" + t.GetText() : "";
                    // The hint name is Class.Method.hash.g.cs: show the random method(s) of that name.
                    string file = Path.GetFileName(d.Location.SourceTree?.FilePath ?? "");
                    var parts = file.Split('.');
                    var sources = parts.Length > 2 ? batch.Methods.Where(m => !m.IsHelper && m.Name == parts[1]).Select(m => m.StandaloneSource()).ToList() : new List<string>();
                    report.Failures.Add($"batch seed {batch.Seed}: the generated code does not compile: {d}\n" +
                        (sources.Count > 0 ? "program:\n" + string.Join("\n", sources) + "\n" : "") + $"{generated}\n{reproduce}");
                }
            }

            return report;
        }

        stream.Position = 0;
        var assembly = new System.Runtime.Loader.AssemblyLoadContext("random-programs-" + batch.Seed, isCollectible: true).LoadFromStream(stream);
        report.CompileTime = clock.Elapsed;
        report.Timing = $"generator {generatorTime.TotalSeconds:0.0} s, compile+emit {(clock.Elapsed - generatorTime).TotalSeconds:0.0} s, source {batch.Source.Length / 1024} KB, generated {run.Sources.Values.Sum(v => v.Length) / 1024} KB";
        clock.Restart();
        var type = assembly.GetType(RandomProgramGenerator.Namespace + "." + RandomProgramGenerator.ClassName, throwOnError: true)!;
        var wrappers = assembly.GetType(RandomProgramGenerator.Namespace + "." + WrapperClass);
        int checkedIndex = -1;
        for (int index = 0; index < batch.Methods.Count; index++)
        {
            var method = batch.Methods[index];
            if (method.IsHelper)
            {
                report.Helpers++;
                continue;
            }

            checkedIndex++;
            report.Programs++;
            if (method.ExpectedDiagnostic is not null)
            {
                if (refused.Contains(method) && HasMember(type, method.Name + "Gradient", method.Parameters.Count + method.DiffParameters.Count()))
                {
                    report.Failures.Add($"batch seed {batch.Seed}, method {method.Signature}: {method.ExpectedDiagnostic} was reported, but a gradient was generated anyway\n{reproduce}");
                }

                report.ExpectedRefusals++;
                continue;
            }

            if (secondOrderRefused.Contains(method))
            {
                report.ExpectedRefusals++;
                continue;
            }

            if (KnownGeneratorBugs.Excludes(method) is { } bug)
            {
                report.ExcludedPrograms++;
                continue;
            }

            if (generatorProblems.Count > 0 && !HasMember(type, method.Name + "Gradient", method.Parameters.Count + method.DiffParameters.Count()))
            {
                continue; // already reported above
            }

            if (method.UsesFloat)
            {
                report.FloatPrograms++;
            }

            string? failure;
            try
            {
                failure = CheckMethod(type, wrappers, method, batch.Seed, checkedIndex, report);
            }
            catch (Exception e) when (e is TargetInvocationException or ArgumentException or IndexOutOfRangeException or InvalidOperationException or ArithmeticException)
            {
                var inner = e is TargetInvocationException { InnerException: { } x } ? x : e;
                string where = inner.StackTrace?.Split('\n').FirstOrDefault(l => l.Contains("RandomDemo.", StringComparison.Ordinal))?.Trim() ?? "";
                failure = $"threw {inner.GetType().Name}: {inner.Message} ({where})" +
                          (where.Contains("Gradient(", StringComparison.Ordinal) ? ": the gradient method throws where the function returns a value" : "");
            }

            if (failure is not null)
            {
                report.Failures.Add($"batch seed {batch.Seed}, method {method.Signature}: {failure}\n{reproduce}\nprogram:\n{method.StandaloneSource()}");
            }
        }

        report.CheckTime = clock.Elapsed;
        return report;
    }

    private static bool HasMember(Type type, string name, int parameterCount) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.Static).Any(m => m.Name == name && m.GetParameters().Length == parameterCount);

    /// <summary>The runtime type of a parameter of the random source.</summary>
    private static Type RuntimeType(ParamSpec p, Type type) => p.CSharpType switch
    {
        "int" => typeof(int),
        "double" => typeof(double),
        "double[]" => typeof(double[]),
        "Span<double>" => typeof(Span<double>),
        "ReadOnlySpan<double>" => typeof(ReadOnlySpan<double>),
        _ => type.Assembly.GetType(RandomProgramGenerator.Namespace + "." + p.CSharpType, throwOnError: true)!,
    };

    /// <summary>The seed of a method's points: a function of the batch seed and the method's index only.</summary>
    /// <summary>
    /// H(x)·v from the generated second-order code against Richardson-extrapolated centered differences of the generated
    /// gradient along v, at random smooth points (points where the differences at h and h/2 disagree are kinks: skipped).
    /// </summary>
    private static string? CheckSecondOrder(DifferentiableFunction f, Random rng, BatchReport report)
    {
        int n = f.Dimension;
        var hv = new double[n];
        var gp = new double[n];
        var gm = new double[n];
        int checkedPoints = 0;
        for (int attempt = 0; attempt < 12 && checkedPoints < 2; attempt++)
        {
            var x = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 4 - 2).ToArray();
            var v = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
            f.HessianVectorProduct(x, v, hv);
            double[] Difference(double h)
            {
                var xp = x.Select((xi, i) => xi + h * v[i]).ToArray();
                var xm = x.Select((xi, i) => xi - h * v[i]).ToArray();
                f.ValueAndGradient(xp, gp);
                f.ValueAndGradient(xm, gm);
                return gp.Select((g, i) => (g - gm[i]) / (2 * h)).ToArray();
            }

            var d1 = Difference(1e-3);
            var d2 = Difference(5e-4);
            var richardson = d2.Select((d, i) => (4 * d - d1[i]) / 3).ToArray();
            bool smooth = true;
            bool agrees = true;
            int worst = 0;
            double worstError = 0;
            for (int i = 0; i < n; i++)
            {
                double scale = 1 + Math.Abs(richardson[i]);
                if (!double.IsFinite(hv[i]) || !double.IsFinite(richardson[i]) || Math.Abs(d1[i] - d2[i]) > 1e-3 * scale)
                {
                    smooth = false;
                    break;
                }

                double error = Math.Abs(hv[i] - richardson[i]);
                if (error > 1e-5 * scale)
                {
                    agrees = false;
                }

                if (error / scale > worstError)
                {
                    worstError = error / scale;
                    worst = i;
                }
            }

            if (!smooth)
            {
                continue;
            }

            if (!agrees)
            {
                return $"Hessian-vector product mismatch at x = ({string.Join(", ", x.Select(e => e.ToString("R", CultureInfo.InvariantCulture)))}), " +
                       $"v = ({string.Join(", ", v.Select(e => e.ToString("R", CultureInfo.InvariantCulture)))}): component {f.ParameterNames[worst]} generated {hv[worst]:R}, differences of the gradient {richardson[worst]:R}";
            }

            checkedPoints++;
        }

        report.SecondOrderPoints += checkedPoints;
        return null;
    }

    public static int PointSeed(int batchSeed, int index) => unchecked(batchSeed * 31 + index * 7919 + 17);

    /// <summary>
    /// The batch compiled with the generator: C# 12 (what generated code must compile with) or, for batches with
    /// foreach over spans, C# 13; the driver does not track incremental steps (nobody reads them here, and they cost).
    /// </summary>
    private static GeneratorRun Compile(RandomBatch batch)
    {
        var parse = batch.CSharp13 ? new Microsoft.CodeAnalysis.CSharp.CSharpParseOptions(Microsoft.CodeAnalysis.CSharp.LanguageVersion.CSharp13) : Harness.ParseOptions;
        var compilation = Microsoft.CodeAnalysis.CSharp.CSharpCompilation.Create(
            "RandomPrograms" + batch.Seed,
            new[] { Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(Microsoft.CodeAnalysis.Text.SourceText.From(batch.Source, Encoding.UTF8), parse, path: "File0.cs") },
            Harness.References,
            new Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var driver = Microsoft.CodeAnalysis.CSharp.CSharpGeneratorDriver.Create(
            new[] { new DifferentiableGenerator().AsSourceGenerator() },
            parseOptions: parse,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: false));
        return Harness.Run(compilation, driver);
    }

    /// <summary>
    /// The class of the check wrappers: a method with a [NoDerivative] ReadOnlySpan parameter gets no NameObjective
    /// (a lambda cannot capture a span), so the checker adds `NameCheck(lengths..., data with arrays for spans)`, the
    /// same packing as NameObjective, that calls Name and NameGradient with the spans.
    /// </summary>
    public const string WrapperClass = "PCheck";

    private static bool NeedsWrapper(RandomMethod m) => !m.IsHelper && m.Callable && m.Parameters.Any(p => p.Kind == ParamKind.DataArray && p.IsRefLike);

    /// <summary>The wrapper's name: unique among overloads.</summary>
    private static string WrapperName(RandomMethod m) => m.Name + "_" + m.Index.ToString(CultureInfo.InvariantCulture) + "Check";

    /// <summary>Adds the check wrappers of the methods whose gradient was generated (after the generator ran).</summary>
    private static Compilation WithCheckWrappers(Compilation output, RandomBatch batch)
    {
        var needing = batch.Methods.Where(NeedsWrapper).ToList();
        if (needing.Count == 0)
        {
            return output;
        }

        var type = output.GetTypeByMetadataName(RandomProgramGenerator.Namespace + "." + RandomProgramGenerator.ClassName);
        var sb = new StringBuilder("using System;\nusing SymbolicGrad;\n\nnamespace " + RandomProgramGenerator.Namespace + ";\n\npublic static class " + WrapperClass + "\n{\n");
        foreach (var m in needing)
        {
            if (type is not null && type.GetMembers(m.Name + "Gradient").OfType<IMethodSymbol>().Any(g => g.Parameters.Length == m.Parameters.Count + m.DiffParameters.Count()))
            {
                sb.Append(Wrapper(m));
            }
        }

        sb.Append("}\n");
        var parse = (Microsoft.CodeAnalysis.CSharp.CSharpParseOptions)output.SyntaxTrees.First().Options;
        return output.AddSyntaxTrees(Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(sb.ToString(), parse, path: "CheckWrappers.cs"));
    }

    private static string Wrapper(RandomMethod m)
    {
        var offset = new List<string>();
        int constant = 0;
        string Offset() => string.Join(" + ", offset.Append(constant.ToString(CultureInfo.InvariantCulture)));
        var args = new List<string>();
        var outputs = new List<string>();
        var factory = new List<string>();
        foreach (var p in m.DiffParameters)
        {
            if (p.IsArray)
            {
                string slice = "p.Slice(" + Offset() + ", " + p.Name + "Length)";
                args.Add(p.Type == "ReadOnlySpan<double>" ? slice : slice + ".ToArray()");
                outputs.Add("g.Slice(" + Offset() + ", " + p.Name + "Length)");
                factory.Add("int " + p.Name + "Length");
                offset.Add(p.Name + "Length");
            }
            else
            {
                args.Add("p[" + Offset() + "]");
                outputs.Add("out g[" + Offset() + "]");
                constant++;
            }
        }

        // Back to parameter order: differentiable ones take their packed slot, data their own name.
        var ordered = new List<string>();
        int d = 0;
        foreach (var p in m.Parameters)
        {
            if (p.Kind is ParamKind.Diff or ParamKind.DiffArray)
            {
                ordered.Add(args[d++]);
            }
            else
            {
                ordered.Add(p.Name);
                factory.Add((p.Kind switch { ParamKind.Int => "int", ParamKind.DataArray => "double[]", _ => "double" }) + " " + p.Name);
            }
        }

        string call = string.Join(", ", ordered);
        return "    public static DifferentiableFunction " + WrapperName(m) + "(" + string.Join(", ", factory) + ") =>\n" +
               "        new DifferentiableFunction(" + Offset() + ", p => " + RandomProgramGenerator.ClassName + "." + m.Name + "(" + call + "),\n" +
               "            (p, g) => " + RandomProgramGenerator.ClassName + "." + m.Name + "Gradient(" + call + ", " + string.Join(", ", outputs) + "),\n" +
               "            \"" + m.Name + "\", DifferentiableFunction.PackedNames(new[] { " + string.Join(", ", m.DiffParameters.Select(p => "\"" + p.Name + "\"")) + " }, new[] { " +
               string.Join(", ", m.DiffParameters.Select(p => p.IsArray ? p.Name + "Length" : "-1")) + " }));\n";
    }

    private static string? CheckMethod(Type type, Type? wrappers, RandomMethod method, int batchSeed, int index, BatchReport report)
    {
        var rng = new Random(PointSeed(batchSeed, index));
        // The objective (or the check wrapper) of this overload: an int per differentiable array, then the data parameters.
        var objectiveTypes = method.DiffParameters.Where(p => p.IsArray).Select(_ => typeof(int))
            .Concat(method.DataParameters.Select(p => NeedsWrapper(method) && p.IsArray ? typeof(double[]) : RuntimeType(p, type))).ToArray();
        var objective = NeedsWrapper(method)
            ? wrappers?.GetMethod(WrapperName(method), BindingFlags.Public | BindingFlags.Static)
            : type.GetMethod(method.Name + "Objective", BindingFlags.Public | BindingFlags.Static, objectiveTypes);
        if (objective is null)
        {
            return "no " + (NeedsWrapper(method) ? WrapperName(method) + " wrapper" : method.Name + "Objective(" + string.Join(", ", objectiveTypes.Select(t => t.Name)) + ") was generated");
        }

        // NameGradient: the original parameters, then one output per differentiable parameter (out double, out V2, Span<double>).
        var parameterTypes = method.Parameters.Select(p => RuntimeType(p, type)).ToArray();
        var gradient = type.GetMethods(BindingFlags.Public | BindingFlags.Static).FirstOrDefault(g =>
            g.Name == method.Name + "Gradient" && g.GetParameters().Length == method.Parameters.Count + method.DiffParameters.Count() &&
            g.GetParameters().Take(method.Parameters.Count).Select(q => q.ParameterType).SequenceEqual(parameterTypes) &&
            g.GetParameters().Skip(method.Parameters.Count).Zip(method.DiffParameters, (q, p) => p.IsArray ? q.ParameterType == typeof(Span<double>) : q.IsOut).All(ok => ok));
        if (gradient is null)
        {
            return "no " + method.Name + "Gradient with one output (out double, out V2, Span<double>) per differentiable parameter was generated";
        }

        // The factory's arguments: the length of each differentiable array, then the data parameters in order.
        var lengths = method.DiffParameters.Where(p => p.IsArray).Select(_ => 1 + rng.Next(ProgramFeatures.MaxArrayLength)).ToList();
        var dataValues = method.DataParameters.Select(p => p.Kind switch
        {
            ParamKind.Int => (object)rng.Next(0, 5),
            ParamKind.DataArray => Enumerable.Range(0, 1 + rng.Next(ProgramFeatures.MaxArrayLength)).Select(_ => Math.Round(rng.NextDouble() * 4 - 2, 3)).ToArray(),
            _ => Math.Round(rng.NextDouble() * 4 - 2, 3),
        }).ToArray();
        var f = (DifferentiableFunction)objective.Invoke(null, lengths.Cast<object>().Concat(dataValues).ToArray())!;
        var names = f.ParameterNames;
        var tolerance = method.UsesFloat ? CheckTolerance.Float : CheckTolerance.Double;
        string dataText = string.Join(", ", method.DiffParameters.Where(p => p.IsArray).Zip(lengths, (p, l) => p.Name + ".Length = " + l.ToString(CultureInfo.InvariantCulture))
            .Concat(method.DataParameters.Zip(dataValues, (p, v) => p.Name + " = " + (v is double[] a ? "{ " + string.Join(", ", a.Select(e => e.ToString("R", CultureInfo.InvariantCulture))) + " }" : Convert.ToString(v, CultureInfo.InvariantCulture)))));

        int passed = 0;
        int skipped = 0;
        for (int attempt = 0; attempt < MaxAttemptsPerProgram && passed < PointsPerProgram; attempt++)
        {
            var x = Enumerable.Range(0, f.Dimension).Select(_ => rng.NextDouble() * 4 - 2).ToArray();
            var r = DifferentialChecker.CheckPoint(f, x, tolerance);
            switch (r.Verdict)
            {
                case PointVerdict.Passed:
                    passed++;
                    report.WorstRatio = Math.Max(report.WorstRatio, r.WorstRatio);
                    break;
                case PointVerdict.NotSmooth:
                    skipped++;
                    break;
                default:
                    report.PointsChecked += passed;
                    report.PointsSkipped += skipped;
                    return r.Problem + (dataText.Length > 0 ? "\ndata: " + dataText : "") + "\n" + r.Table(names);
            }
        }

        report.PointsChecked += passed;
        report.PointsSkipped += skipped;
        report.MaxSkippedInOneProgram = Math.Max(report.MaxSkippedInOneProgram, skipped);
        if (report.SecondOrder && passed >= PointsPerProgram && !method.UsesFloat)
        {
            if (!f.HasHessian)
            {
                // Struct parameters go through a check wrapper of the gradient alone.
                if (!NeedsWrapper(method))
                {
                    return "compiled with Hessian = true, but its objective has no Hessian";
                }
            }
            else if (CheckSecondOrder(f, rng, report) is { } problem)
            {
                return problem + (dataText.Length > 0 ? "\ndata: " + dataText : "");
            }
        }

        return passed < PointsPerProgram
            ? $"only {passed} of {PointsPerProgram} points were smooth enough to check after {MaxAttemptsPerProgram} attempts ({skipped} skipped): skipping this much could hide a bug" + (dataText.Length > 0 ? "\ndata: " + dataText : "")
            : null;
    }

    /// <summary>
    /// As <see cref="MethodAt"/>, by line: right in the second-order run too, whose longer attribute shifts positions but
    /// not lines.
    /// </summary>
    private static RandomMethod? MethodAtLine(RandomBatch batch, Diagnostic d)
    {
        if (d.Location.Kind == LocationKind.None || d.Location.GetLineSpan().Path != "File0.cs")
        {
            return null;
        }

        int line = d.Location.GetLineSpan().StartLinePosition.Line;
        string header = RandomProgramGenerator.Wrap(Array.Empty<string>());
        int first = header.Count(c => c == '\n') - 1;
        foreach (var m in batch.Methods)
        {
            int lines = m.Source.Count(c => c == '\n') + 1;
            if (line >= first && line < first + lines)
            {
                return m;
            }

            first += lines;
        }

        return null;
    }

    /// <summary>Does another [Differentiable] overload get a NameTangent or NameHessianVectorProduct with the same parameter types?</summary>
    private static bool SecondOrderMembersCollide(RandomBatch batch, RandomMethod method)
    {
        static (string Tangent, string Product) Keys(RandomMethod m)
        {
            var types = m.Parameters.Select(p => p.CSharpType);
            var directions = m.DiffParameters.Select(p => p.Kind switch { ParamKind.DiffArray => "ReadOnlySpan<double>", ParamKind.DiffStruct => "V2", _ => "double" });
            var outputs = m.DiffParameters.Select(p => p.Kind switch { ParamKind.DiffArray => "Span<double>", ParamKind.DiffStruct => "out V2", _ => "out double" }).ToList();
            return (string.Join(",", types.Concat(directions).Append("out")), string.Join(",", types.Concat(directions).Concat(outputs).Concat(outputs)));
        }

        var keys = Keys(method);
        return batch.Methods.Any(o => o != method && !o.IsHelper && o.Name == method.Name && (Keys(o).Tangent == keys.Tangent || Keys(o).Product == keys.Product));
    }

    private static RandomMethod? MethodAt(RandomBatch batch, Diagnostic d)
    {
        // The generator reports file locations (Location.Create(path, span, lines): not IsInSource), the compiler tree locations.
        if (d.Location.Kind == LocationKind.None || d.Location.GetLineSpan().Path != "File0.cs")
        {
            return null;
        }

        int position = d.Location.SourceSpan.Start;
        int offset = 0;
        string header = RandomProgramGenerator.Wrap(Array.Empty<string>());
        offset = header.Length - "}\n".Length;
        foreach (var m in batch.Methods)
        {
            if (position >= offset && position < offset + m.Source.Length + 1)
            {
                return m;
            }

            offset += m.Source.Length + 1;
        }

        return null;
    }
}

/// <summary>
/// Narrow exclusions for generator bugs found by this tester, each with its minimal reproduction, to be removed
/// when the generator is fixed. Empty means nothing is excluded.
/// </summary>
public static class KnownGeneratorBugs
{
    public static string? Excludes(RandomMethod method) => null;
}
