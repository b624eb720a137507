using System.Globalization;
using SymbolicGrad.Benchmarks.Problems;
using SymbolicGrad.Benchmarks.Torch;

namespace SymbolicGrad.Benchmarks;

/// <summary>What verify found for one problem and size.</summary>
public sealed record VerificationResult(string Problem, string Size, int Dimension, IReadOnlyList<string> Failures, string Summary, long? GeneratedBytesPerCall)
{
    public bool Passed => Failures.Count == 0;
}

/// <summary>The PyTorch contender after verify: the runner (null when torch is not installed, and why), and the cases whose gradients agreed.</summary>
public sealed record TorchVerification(TorchRunner? Runner, string WhyNot, IReadOnlyDictionary<(string Problem, string Size), int> Verified);

/// <summary>
/// Checks that every contender computes the same thing: the hand-written gradient is the reference; the tape and the
/// generated gradient must agree with it to rounding, the generated value must be bit for bit the function's (the
/// contract; to rounding for a size marked Reassociate), and centered differences must agree with it to their truncation error (on every component up to 200
/// parameters, on 40 spread components above). Also counts the generated gradient's allocation per call.
/// </summary>
public static class Verifier
{
    private const double RoundingTolerance = 1e-9;
    private const int MaxNumericComponents = 40;

    public static VerificationResult Run<TProblem>(string size)
        where TProblem : struct, IProblem<TProblem>
    {
        var failures = new List<string>();
        var problem = TProblem.Create(size);
        double[] point = problem.Point.ToArray();
        int n = point.Length;
        double value = problem.Value(point);
        if (!double.IsFinite(value))
        {
            failures.Add($"the value is {value}");
        }

        var hand = new double[n];
        double handValue = problem.Hand(point, hand);
        double scale = Math.Max(1.0, MaxAbs(hand));
        CheckValue("hand-written", handValue, value, failures);

        string tapeText = "n/a";
        if (TProblem.HasTape)
        {
            var tape = new double[n];
            double tapeValue = problem.Tape(point, tape);
            CheckValue("tape", tapeValue, value, failures);
            tapeText = CompareGradients("tape", tape, hand, scale, failures).ToString("0.0e+00", CultureInfo.InvariantCulture);
        }

        string generatedText = "n/a (needs loops)";
        long? bytes = null;
        if (TProblem.HasGenerated)
        {
            var generated = new double[n];
            double generatedValue = problem.Generated(point, generated);
            // With Reassociate = true the contract is rounding, not bits: its sums are added in vector lanes.
            bool reassociated = size.EndsWith("Reassociate", StringComparison.Ordinal);
            if (reassociated
                ? !(Math.Abs(generatedValue - value) <= 1e-12 * Math.Max(1, Math.Abs(value)))
                : BitConverter.DoubleToInt64Bits(generatedValue) != BitConverter.DoubleToInt64Bits(value))
            {
                failures.Add($"generated: the value {R(generatedValue)} is not bit for bit the function's {R(value)}");
            }

            double generatedError = CompareGradients("generated", generated, hand, scale, failures);
            bytes = AllocatedPerCall(ref problem, point, generated);
            generatedText = $"{generatedError:0.0e+00}, {bytes} B/call";
            if (bytes != 0)
            {
                // issue 11: 0 bytes per call, on the thread that calls it (the runtime's own threads do not count)
                failures.Add($"generated: allocates {bytes} bytes per call once warm");
            }
        }

        // centered differences, against the hand-written gradient
        var numeric = new double[n];
        double numericError = 0;
        int step = n <= 200 ? 1 : Math.Max(1, n / MaxNumericComponents);
        int checkedComponents = 0;
        for (int i = 0; i < n; i += step)
        {
            Numeric.Component(ref problem, point, numeric, i);
            checkedComponents++;
            double error = Math.Abs(numeric[i] - hand[i]);
            double allowed = 1e-5 * Math.Max(1.0, Math.Abs(hand[i])) + 1e-9 * Math.Abs(value);
            numericError = Math.Max(numericError, error / Math.Max(1.0, Math.Abs(hand[i])));
            if (!(error <= allowed))
            {
                failures.Add($"numeric: component {i}: centered difference {R(numeric[i])}, hand-written {R(hand[i])} (|diff| {error:0.0e+00} > {allowed:0.0e+00})");
            }
        }

        string summary = string.Create(CultureInfo.InvariantCulture,
            $"value {value,14:G8}  tape {tapeText}  generated {generatedText}  numeric {numericError:0.0e+00} over {checkedComponents} of {n}");
        return new VerificationResult(TProblem.Name, size, n, failures, summary, bytes);
    }

    /// <summary>All problems at all their verify sizes, then PyTorch's gradients and the data-parallel rows; prints one line each and every failure.</summary>
    /// <returns>Whether everything agreed.</returns>
    public static bool RunAll(TextWriter output)
    {
        bool passed = RunAll(output, out var torch);
        torch.Runner?.Dispose();
        return passed;
    }

    /// <summary>As <see cref="RunAll(TextWriter)"/>, and hands over the PyTorch runner (to be disposed) with the cases it verified.</summary>
    public static bool RunAll(TextWriter output, out TorchVerification torch)
    {
        bool passed = true;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        foreach (var entry in ProblemCatalog.All)
        {
            foreach (string size in entry.VerifySizes)
            {
                VerificationResult result;
                try
                {
                    result = entry.Verify(size);
                }
                catch (Exception e)
                {
                    result = new VerificationResult(entry.Name, size, 0, [$"threw {e.GetType().Name}: {e.Message}"], "", null);
                }

                output.WriteLine($"{(result.Passed ? "ok  " : "FAIL")} {entry.Name,-34} {size,-40} {result.Summary}");
                foreach (string failure in result.Failures)
                {
                    output.WriteLine($"     {failure}");
                }

                passed &= result.Passed;
            }
        }

        passed &= VerifyDataParallel(output);
        passed &= SecondOrder.SecondOrderReport.Verify(output);
        passed &= VerifyTorch(output, out torch);
        output.WriteLine(passed
            ? $"verify: every contender agrees ({watch.Elapsed.TotalSeconds:0.0} s)"
            : "verify: FAILED, the contenders disagree (see above)");
        return passed;
    }

    /// <summary>
    /// The data-parallel rows: the sharded generated gradient on one thread and on every core agree with the
    /// hand-written one to rounding, and with each other bit for bit.
    /// </summary>
    private static bool VerifyDataParallel(TextWriter output)
    {
        bool passed = true;
        foreach (string name in DataParallelCase.All)
        {
            var failures = new List<string>();
            var c = DataParallelCase.Create(name);
            int n = c.Point.Length;
            var hand = new double[n];
            double value = c.Hand(hand);
            double scale = Math.Max(1.0, MaxAbs(hand));
            var one = new double[n];
            var all = new double[n];
            double valueOne = c.OneThread.ValueAndGradient(c.Point, one);
            double valueAll = c.AllCores.ValueAndGradient(c.Point, all);
            CheckValue("sharded", valueOne, value, failures);
            double error = CompareGradients("sharded", one, hand, scale, failures);
            if (!one.Prepend(valueOne).Select(BitConverter.DoubleToInt64Bits).SequenceEqual(all.Prepend(valueAll).Select(BitConverter.DoubleToInt64Bits)))
            {
                failures.Add($"sharded: 1 thread and {Environment.ProcessorCount} threads differ in their bits");
            }

            output.WriteLine($"{(failures.Count == 0 ? "ok  " : "FAIL")} {"data-parallel",-34} {name,-40} " +
                string.Create(CultureInfo.InvariantCulture, $"sharded {error:0.0e+00}, {c.AllCores.ShardCount} shards, same bits on 1 and {Environment.ProcessorCount} threads: {failures.Count == 0}"));
            foreach (string failure in failures)
            {
                output.WriteLine($"     {failure}");
            }

            passed &= failures.Count == 0;
        }

        return passed;
    }

    /// <summary>
    /// PyTorch's value and gradient of every problem at every verify size against the hand-written ones (the same
    /// tolerance as the tape). Without Python and torch it says so, and passes.
    /// </summary>
    private static bool VerifyTorch(TextWriter output, out TorchVerification torch)
    {
        var runner = TorchRunner.TryCreate(out string whyNot);
        if (runner is null)
        {
            output.WriteLine($"skip torch: not checked, {whyNot}. Install it with: {TorchRunner.InstallCommand}");
            torch = new TorchVerification(null, whyNot, new Dictionary<(string, string), int>());
            return true;
        }

        output.WriteLine($"torch: {runner.Info}");
        var ids = new Dictionary<(string, string), int>();
        foreach (var entry in ProblemCatalog.All)
        {
            foreach (string size in entry.VerifySizes)
            {
                ids[(entry.Name, size)] = runner.Add(entry.Torch(size));
            }
        }

        var verified = new Dictionary<(string, string), int>();
        bool passed = true;
        var results = runner.Evaluate(ids.Values);
        foreach (var ((name, size), id) in ids)
        {
            var failures = new List<string>();
            var c = runner[id];
            string summary = "";
            var (result, error) = results.TryGetValue(id, out var r) ? r : (null, "no result");
            if (result is null)
            {
                failures.Add($"torch: {error}");
            }
            else if (result.Gradient.Length != c.HandGradient.Length)
            {
                failures.Add($"torch: the gradient has {result.Gradient.Length} components, the hand-written {c.HandGradient.Length}");
            }
            else
            {
                CheckValue("torch", result.Value, c.Value, failures);
                double gradientError = CompareGradients("torch", result.Gradient, c.HandGradient, Math.Max(1.0, MaxAbs(c.HandGradient)), failures);
                summary = string.Create(CultureInfo.InvariantCulture, $"value {result.Value,14:G8}  torch {gradientError:0.0e+00}");
            }

            output.WriteLine($"{(failures.Count == 0 ? "ok  " : "FAIL")} {"torch: " + name,-34} {size,-40} {summary}");
            foreach (string failure in failures)
            {
                output.WriteLine($"     {failure}");
            }

            if (failures.Count == 0)
            {
                verified[(name, size)] = id;
            }

            passed &= failures.Count == 0;
        }

        torch = new TorchVerification(runner, "", verified);
        return passed;
    }

    private static void CheckValue(string who, double actual, double expected, List<string> failures)
    {
        double error = Math.Abs(actual - expected);
        if (!(error <= RoundingTolerance * Math.Max(1.0, Math.Abs(expected))))
        {
            failures.Add($"{who}: value {R(actual)}, the function's is {R(expected)}");
        }
    }

    /// <returns>The largest difference, relative to max(1, ‖hand‖∞).</returns>
    private static double CompareGradients(string who, double[] actual, double[] hand, double scale, List<string> failures)
    {
        double worst = 0;
        int reported = 0;
        for (int i = 0; i < hand.Length; i++)
        {
            double error = Math.Abs(actual[i] - hand[i]) / scale;
            if (!(error <= RoundingTolerance))
            {
                if (reported++ < 5)
                {
                    failures.Add($"{who}: component {i}: {R(actual[i])}, hand-written {R(hand[i])}");
                }

                worst = double.IsNaN(error) ? double.PositiveInfinity : Math.Max(worst, error);
            }
            else
            {
                worst = Math.Max(worst, error);
            }
        }

        return worst;
    }

    private static long AllocatedPerCall<TProblem>(ref TProblem problem, double[] point, double[] gradient)
        where TProblem : struct, IProblem<TProblem>
    {
        problem.Generated(point, gradient);
        const int calls = 4;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < calls; i++)
        {
            problem.Generated(point, gradient);
        }

        // rounded up: a few bytes over the four calls must not vanish in the division
        return (GC.GetAllocatedBytesForCurrentThread() - before + calls - 1) / calls;
    }

    private static double MaxAbs(double[] values)
    {
        double max = 0;
        foreach (double v in values)
        {
            max = Math.Max(max, Math.Abs(v));
        }

        return max;
    }

    private static string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
