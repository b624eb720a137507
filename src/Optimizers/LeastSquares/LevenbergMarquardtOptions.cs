namespace SymbolicGrad.Optimizers;

/// <summary>How <see cref="LevenbergMarquardt"/> scales the variables (MINPACK's <c>mode</c>).</summary>
public enum LevenbergMarquardtScaling
{
    /// <summary>
    /// MINPACK's mode 1 (the default): D = diag of the Jacobian's column norms at the first iteration, each entry only
    /// ever increased afterwards, so the method is invariant under a rescaling of the variables.
    /// </summary>
    Jacobian,

    /// <summary>MINPACK's mode 2: D = <see cref="LevenbergMarquardtOptions.Diagonal"/>, fixed.</summary>
    Fixed,
}

/// <summary>
/// Options of <see cref="LevenbergMarquardt"/>, in MINPACK's terms (the argument of <c>lmder</c> each one is, and its
/// meaning there, is given on each property). The defaults are those of SciPy's <c>least_squares(method="lm")</c> for the
/// tolerances and of MINPACK's <c>lmder1</c> for the evaluation limit.
/// </summary>
public sealed record LevenbergMarquardtOptions
{
    /// <summary>
    /// MINPACK's <c>ftol</c>: stop when both the actual and the predicted relative reductions of the sum of squares are
    /// at most this (status <see cref="LeastSquaresStatus.FunctionTolerance"/>). Default 1e-8.
    /// </summary>
    public double FunctionTolerance { get; init; } = 1e-8;

    /// <summary>
    /// MINPACK's <c>xtol</c>: stop when the trust region radius Δ ≤ xtol·‖Dx‖, i.e. the relative error between two
    /// consecutive iterates is at most this (status <see cref="LeastSquaresStatus.StepTolerance"/>). Default 1e-8.
    /// </summary>
    public double StepTolerance { get; init; } = 1e-8;

    /// <summary>
    /// MINPACK's <c>gtol</c>: stop when the cosine of the angle between r and every column of J is at most this, i.e. r
    /// is orthogonal to the columns of J (status <see cref="LeastSquaresStatus.GradientTolerance"/>). Default 1e-8.
    /// </summary>
    public double GradientTolerance { get; init; } = 1e-8;

    /// <summary>MINPACK's <c>maxfev</c>: the residual evaluations allowed; default (null) 100·(n + 1), as <c>lmder1</c>.</summary>
    public int? MaxEvaluations { get; init; }

    /// <summary>
    /// MINPACK's <c>factor</c>: the initial trust region radius is factor·‖Dx₀‖ (or factor itself when that is 0).
    /// Default 100; in (0.1, 100) in MINPACK's advice.
    /// </summary>
    public double StepBound { get; init; } = 100;

    /// <summary>MINPACK's <c>mode</c>: how the variables are scaled.</summary>
    public LevenbergMarquardtScaling Scaling { get; init; } = LevenbergMarquardtScaling.Jacobian;

    /// <summary>MINPACK's <c>diag</c> for <see cref="LevenbergMarquardtScaling.Fixed"/>: positive multipliers of the variables (length n).</summary>
    public IReadOnlyList<double>? Diagonal { get; init; }

    /// <summary>Called after every accepted step; return false to stop (status <see cref="LeastSquaresStatus.Stopped"/>).</summary>
    public Func<LeastSquaresProgress, bool>? Callback { get; init; }

    /// <summary>The defaults.</summary>
    public static LevenbergMarquardtOptions Default { get; } = new();
}

/// <summary>A snapshot passed to <see cref="LevenbergMarquardtOptions.Callback"/> after an accepted step.</summary>
/// <param name="Iteration">Accepted steps so far.</param>
/// <param name="X">The new point (do not keep: the buffer is reused).</param>
/// <param name="Cost">½‖r‖² at <paramref name="X"/>.</param>
/// <param name="Evaluations">Residual evaluations so far.</param>
/// <param name="LevenbergParameter">The Levenberg parameter λ of the step (0 for a Gauss–Newton step).</param>
/// <param name="TrustRadius">The trust region radius Δ after the step.</param>
public readonly record struct LeastSquaresProgress(int Iteration, ReadOnlyMemory<double> X, double Cost, int Evaluations, double LevenbergParameter, double TrustRadius);
