using System.Globalization;
using SymbolicGrad.Benchmarks.Problems;

namespace SymbolicGrad.Benchmarks;

/// <summary>What verify found for one problem and size.</summary>
public sealed record VerificationResult(string Problem, string Size, int Dimension, IReadOnlyList<string> Failures, string Summary, long? GeneratedBytesPerCall)
{
    public bool Passed => Failures.Count == 0;
}

/// <summary>
/// Checks that every contender computes the same thing: the hand-written gradient is the reference; the tape and the
/// generated gradient must agree with it to rounding, the generated value must be bit for bit the function's (the
/// contract), and centered differences must agree with it to their truncation error (on every component up to 200
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

        var tape = new double[n];
        double tapeValue = problem.Tape(point, tape);
        CheckValue("tape", tapeValue, value, failures);
        double tapeError = CompareGradients("tape", tape, hand, scale, failures);

        string generatedText = "n/a (needs loops)";
        long? bytes = null;
        if (TProblem.HasGenerated)
        {
            var generated = new double[n];
            double generatedValue = problem.Generated(point, generated);
            if (BitConverter.DoubleToInt64Bits(generatedValue) != BitConverter.DoubleToInt64Bits(value))
            {
                failures.Add($"generated: the value {R(generatedValue)} is not bit for bit the function's {R(value)}");
            }

            double generatedError = CompareGradients("generated", generated, hand, scale, failures);
            bytes = AllocatedPerCall(ref problem, point, generated);
            generatedText = $"{generatedError:0.0e+00}, {bytes} B/call";
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
            $"value {value,14:G8}  tape {tapeError:0.0e+00}  generated {generatedText}  numeric {numericError:0.0e+00} over {checkedComponents} of {n}");
        return new VerificationResult(TProblem.Name, size, n, failures, summary, bytes);
    }

    /// <summary>All problems at all their verify sizes; prints one line each and every failure.</summary>
    /// <returns>Whether everything agreed.</returns>
    public static bool RunAll(TextWriter output)
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

                output.WriteLine($"{(result.Passed ? "ok  " : "FAIL")} {entry.Name,-26} {size,-40} {result.Summary}");
                foreach (string failure in result.Failures)
                {
                    output.WriteLine($"     {failure}");
                }

                passed &= result.Passed;
            }
        }

        output.WriteLine(passed
            ? $"verify: every contender agrees ({watch.Elapsed.TotalSeconds:0.0} s)"
            : "verify: FAILED, the contenders disagree (see above)");
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

        return (GC.GetAllocatedBytesForCurrentThread() - before) / calls;
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
