using System.Globalization;
using System.Text;

namespace SymbolicGrad.Optimizers;

/// <summary>Why <see cref="LevenbergMarquardt"/> stopped (MINPACK's <c>info</c>, named).</summary>
public enum LeastSquaresStatus
{
    /// <summary>info = 1: the actual and predicted relative reductions of the sum of squares are at most ftol.</summary>
    FunctionTolerance,

    /// <summary>info = 2: the relative error between two consecutive iterates is at most xtol.</summary>
    StepTolerance,

    /// <summary>info = 3: both of the above.</summary>
    FunctionAndStepTolerance,

    /// <summary>info = 4: r is orthogonal to the columns of J to within gtol (a stationary point; also when r = 0).</summary>
    GradientTolerance,

    /// <summary>info = 5: the evaluation limit was reached.</summary>
    MaxEvaluations,

    /// <summary>info = 6: ftol is too small: no further reduction of the sum of squares is possible in floating point.</summary>
    FunctionToleranceTooSmall,

    /// <summary>info = 7: xtol is too small: no further improvement of x is possible in floating point.</summary>
    StepToleranceTooSmall,

    /// <summary>info = 8: gtol is too small: r is orthogonal to the columns of J to machine precision.</summary>
    GradientToleranceTooSmall,

    /// <summary>The callback asked to stop.</summary>
    Stopped,

    /// <summary>The residuals or the Jacobian at the starting point were not finite.</summary>
    NotFinite,

    /// <summary>
    /// Not one step from the starting point reduced the sum of squares, and the trust region shrank to xtol while r was
    /// not orthogonal to the columns of J (MINPACK reports info = 2 here): a wrong Jacobian, or a start too far out.
    /// </summary>
    NoProgress,
}

/// <summary>The outcome of <see cref="LevenbergMarquardt.Minimize"/>.</summary>
public sealed class LeastSquaresResult
{
    internal LeastSquaresResult(
        double[] x, double[] residuals, LeastSquaresStatus status, string message, int evaluations, int jacobianEvaluations, int iterations, double optimality, TimeSpan wallTime)
    {
        X = x;
        Residuals = residuals;
        double sum = 0;
        foreach (double r in residuals)
        {
            sum += r * r;
        }

        Cost = 0.5 * sum;
        Status = status;
        Message = message;
        Evaluations = evaluations;
        JacobianEvaluations = jacobianEvaluations;
        Iterations = iterations;
        Optimality = optimality;
        WallTime = wallTime;
    }

    /// <summary>The solution (the best point found).</summary>
    public double[] X { get; }

    /// <summary>r(X).</summary>
    public double[] Residuals { get; }

    /// <summary>½‖r(X)‖², the cost as <see cref="LeastSquaresFunction.Cost"/> defines it (half the sum of squares).</summary>
    public double Cost { get; }

    /// <summary>‖r(X)‖², the sum of squares (the f of Moré, Garbow and Hillstrom's test problems): 2·<see cref="Cost"/>.</summary>
    public double SumOfSquares => 2 * Cost;

    /// <summary>True when a convergence test was met (every status but <see cref="LeastSquaresStatus.MaxEvaluations"/>, <see cref="LeastSquaresStatus.Stopped"/> and <see cref="LeastSquaresStatus.NotFinite"/>).</summary>
    public bool Success => Status is not (LeastSquaresStatus.MaxEvaluations or LeastSquaresStatus.Stopped or LeastSquaresStatus.NotFinite or LeastSquaresStatus.NoProgress);

    /// <summary>Why it stopped.</summary>
    public LeastSquaresStatus Status { get; }

    /// <summary>The reason in words, with the numbers that decided it.</summary>
    public string Message { get; }

    /// <summary>Residual evaluations (MINPACK's <c>nfev</c>).</summary>
    public int Evaluations { get; }

    /// <summary>Jacobian evaluations (MINPACK's <c>njev</c>).</summary>
    public int JacobianEvaluations { get; }

    /// <summary>Accepted steps.</summary>
    public int Iterations { get; }

    /// <summary>
    /// MINPACK's gnorm at the last Jacobian: max over the columns of |cos(angle between r and column j of J)|, the
    /// scale-free first-order optimality measure the gtol test uses.
    /// </summary>
    public double Optimality { get; }

    /// <summary>Wall time of the run.</summary>
    public TimeSpan WallTime { get; }

    /// <inheritdoc />
    public override string ToString()
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(inv, $"Levenberg–Marquardt {(Success ? "converged" : "did not converge")}: {Message}\n");
        sb.Append(inv, $"  cost ½‖r‖² = {Cost:G10} (sum of squares {SumOfSquares:G10}), optimality {Optimality:0.0e+00}\n");
        sb.Append(inv, $"  {Iterations} iteration{(Iterations == 1 ? string.Empty : "s")}, {Evaluations} residual evaluations, {JacobianEvaluations} Jacobian evaluations, {WallTime.TotalMilliseconds:0.0} ms\n");
        sb.Append("  x = [").Append(string.Join(", ", X.Select(v => v.ToString("G10", inv)))).Append("]\n");
        return sb.ToString();
    }
}
