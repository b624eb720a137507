using System.Globalization;
using System.Text;

namespace SymbolicGrad.Optimizers;

/// <summary>Why <see cref="Optimize.Minimize(DifferentiableFunction, ReadOnlySpan{double}, MinimizeOptions?)"/> stopped.</summary>
public enum MinimizeStatus
{
    /// <summary>Converged: the (projected) gradient's largest component is at most gtol.</summary>
    GradientTolerance,

    /// <summary>Converged: the last iteration reduced f by at most ftol, relatively (Levenberg–Marquardt: MINPACK's ftol test).</summary>
    FunctionTolerance,

    /// <summary>Converged (Levenberg–Marquardt): x changes by at most xtol, relatively.</summary>
    StepTolerance,

    /// <summary>Converged (Levenberg–Marquardt): the tolerances are below what floating point can resolve; no further progress is possible.</summary>
    PrecisionLimit,

    /// <summary>Not converged: the iteration limit was reached.</summary>
    MaxIterations,

    /// <summary>Not converged: the evaluation limit was reached.</summary>
    MaxEvaluations,

    /// <summary>Not converged: no step along a descent direction decreased f (see the message for the gradient norm reached).</summary>
    LineSearchFailed,

    /// <summary>Not converged: the callback asked to stop.</summary>
    Stopped,

    /// <summary>Not converged: f or its gradient is not finite at the starting point (or the Hessian at an iterate).</summary>
    NotFinite,
}

/// <summary>The outcome of <see cref="Optimize.Minimize(DifferentiableFunction, ReadOnlySpan{double}, MinimizeOptions?)"/>: read <see cref="Success"/> and <see cref="Message"/> first.</summary>
public sealed class MinimizeResult
{
    private readonly bool _leastSquares;

    internal MinimizeResult(
        string method, double[] x, double value, MinimizeStatus status, string message, int iterations, long functionEvaluations,
        long gradientEvaluations, long hessianEvaluations, double gradientNorm, IReadOnlyList<string> notes, TimeSpan wallTime, bool leastSquares = false)
    {
        _leastSquares = leastSquares;
        Method = method;
        X = x;
        Value = value;
        Status = status;
        Message = message;
        Iterations = iterations;
        FunctionEvaluations = functionEvaluations;
        GradientEvaluations = gradientEvaluations;
        HessianEvaluations = hessianEvaluations;
        GradientNorm = gradientNorm;
        Notes = notes;
        WallTime = wallTime;
    }

    /// <summary>The algorithm that ran, in words (for example "L-BFGS-B (10 pairs, Moré–Thuente line search)", "Newton (exact Hessian)").</summary>
    public string Method { get; }

    /// <summary>The best point found (feasible when bounds were given).</summary>
    public double[] X { get; }

    /// <summary>f(X); for a <see cref="LeastSquaresFunction"/>, its cost ½‖r(X)‖².</summary>
    public double Value { get; }

    /// <summary>True only when a convergence test was met; never for a limit, a failed line search or a stop.</summary>
    public bool Success => Status is MinimizeStatus.GradientTolerance or MinimizeStatus.FunctionTolerance or MinimizeStatus.StepTolerance or MinimizeStatus.PrecisionLimit;

    /// <summary>Why it stopped.</summary>
    public MinimizeStatus Status { get; }

    /// <summary>The reason in words, with the numbers that decided it (for example "gradient norm 3.1e-09 ≤ tolerance 1e-08").</summary>
    public string Message { get; }

    /// <summary>Iterations made.</summary>
    public int Iterations { get; }

    /// <summary>Evaluations of f (residual evaluations for Levenberg–Marquardt).</summary>
    public long FunctionEvaluations { get; }

    /// <summary>Evaluations of ∇f (Jacobian evaluations for Levenberg–Marquardt).</summary>
    public long GradientEvaluations { get; }

    /// <summary>Exact Hessians (Newton) or Hessian-vector products (Newton-CG) computed; 0 for the other methods.</summary>
    public long HessianEvaluations { get; }

    /// <summary>The largest component of the (projected) gradient at X; for Levenberg–Marquardt, MINPACK's largest cosine between r and J's columns at the last Jacobian.</summary>
    public double GradientNorm { get; }

    /// <summary>Remarks about the run that are not its outcome (for example a starting point moved into the bounds).</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>Wall time.</summary>
    public TimeSpan WallTime { get; }

    /// <inheritdoc />
    public override string ToString()
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(inv, $"{Method}: {(Success ? "converged" : "NOT converged")} ({Status}): {Message}\n");
        if (_leastSquares)
        {
            sb.Append(inv, $"  ½‖r‖² = {Value:R} (sum of squares {2 * Value:R}), gradient norm max|Jᵀr| {GradientNorm:0.0e+00}\n");
            sb.Append(inv, $"  {Plural(Iterations, "iteration")}, {Plural(FunctionEvaluations, "residual evaluation")}, {Plural(GradientEvaluations, "Jacobian evaluation")}");
        }
        else
        {
            sb.Append(inv, $"  f = {Value:R}, {(Method.StartsWith("L-BFGS-B", StringComparison.Ordinal) ? "projected " : string.Empty)}gradient norm {GradientNorm:0.0e+00}\n");
            sb.Append(inv, $"  {Plural(Iterations, "iteration")}, {FunctionEvaluations} evaluations of f, {GradientEvaluations} of the gradient");
            sb.Append(HessianEvaluations > 0 ? string.Create(inv, $", {HessianEvaluations} of second derivatives") : string.Empty);
        }

        sb.Append(inv, $", {WallTime.TotalMilliseconds:0.0} ms\n");
        const int shown = 10;
        sb.Append("  x = [").Append(string.Join(", ", X.Take(shown).Select(v => v.ToString("G10", inv))));
        sb.Append(X.Length > shown ? string.Create(inv, $", … ({X.Length} in all)]\n") : "]\n");
        foreach (string note in Notes)
        {
            sb.Append("  note: ").Append(note).Append('\n');
        }

        return sb.ToString();
    }

    private static string Plural(long count, string noun) => string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? string.Empty : "s")}");
}
