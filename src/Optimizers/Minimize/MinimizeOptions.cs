using System.Globalization;

namespace SymbolicGrad.Optimizers;

/// <summary>The algorithm <see cref="Optimize.Minimize(DifferentiableFunction, ReadOnlySpan{double}, MinimizeOptions?)"/> runs.</summary>
public enum MinimizeMethod
{
    /// <summary><see cref="Lbfgs"/> without bounds, <see cref="LbfgsB"/> with them; <see cref="LevenbergMarquardt"/> for a <see cref="LeastSquaresFunction"/>.</summary>
    Auto,

    /// <summary>Limited-memory BFGS with the Moré–Thuente strong-Wolfe line search (SciPy's <c>L-BFGS-B</c> without bounds).</summary>
    Lbfgs,

    /// <summary>L-BFGS-B (Byrd, Lu, Nocedal, Zhu 1995): box constraints through the generalized Cauchy point and subspace minimization.</summary>
    LbfgsB,

    /// <summary>
    /// Newton's method with Levenberg damping and a backtracking line search (<see cref="Optimizers.Newton"/>): the exact Hessian
    /// when <see cref="DifferentiableFunction.HasHessian"/>, otherwise central differences of the gradient (2n gradients per iteration).
    /// </summary>
    Newton,

    /// <summary>
    /// Truncated Newton (<see cref="Optimizers.NewtonCg"/>): conjugate gradients on Hessian-vector products, exact when
    /// <see cref="DifferentiableFunction.HasHessian"/>, otherwise differences of the gradient (one gradient per product).
    /// </summary>
    NewtonCg,

    /// <summary>Levenberg–Marquardt (<see cref="Optimizers.LevenbergMarquardt"/>); only for a <see cref="LeastSquaresFunction"/>.</summary>
    LevenbergMarquardt,
}

/// <summary>Box constraints lᵢ ≤ xᵢ ≤ uᵢ; ±∞ leaves a side free.</summary>
public sealed class Bounds
{
    private readonly double[] _lower;
    private readonly double[] _upper;

    /// <summary>Creates the box [lower, upper].</summary>
    /// <exception cref="ArgumentException">The lengths differ, a bound is NaN, or some lowerᵢ &gt; upperᵢ (the message names it).</exception>
    public Bounds(IReadOnlyList<double> lower, IReadOnlyList<double> upper)
    {
        ArgumentNullException.ThrowIfNull(lower);
        ArgumentNullException.ThrowIfNull(upper);
        if (lower.Count != upper.Count)
        {
            throw new ArgumentException($"lower has {lower.Count} bounds but upper has {upper.Count}.", nameof(upper));
        }

        if (lower.Count == 0)
        {
            throw new ArgumentException("The bounds are empty.", nameof(lower));
        }

        for (int i = 0; i < lower.Count; i++)
        {
            if (double.IsNaN(lower[i]) || double.IsNaN(upper[i]))
            {
                throw new ArgumentException($"The bounds of x[{i}] contain NaN; use ±∞ for a free side.", double.IsNaN(lower[i]) ? nameof(lower) : nameof(upper));
            }

            if (lower[i] > upper[i] || double.IsPositiveInfinity(lower[i]) || double.IsNegativeInfinity(upper[i]))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"The bounds of x[{i}] are inconsistent: lower {lower[i]} > upper {upper[i]} (or an empty side)."), nameof(lower));
            }
        }

        _lower = lower.ToArray();
        _upper = upper.ToArray();
    }

    /// <summary>The same interval [<paramref name="lower"/>, <paramref name="upper"/>] for each of <paramref name="dimension"/> variables.</summary>
    public static Bounds Uniform(int dimension, double lower, double upper)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        return new Bounds(Enumerable.Repeat(lower, dimension).ToArray(), Enumerable.Repeat(upper, dimension).ToArray());
    }

    /// <summary>xᵢ ≥ 0 for each of <paramref name="dimension"/> variables.</summary>
    public static Bounds NonNegative(int dimension) => Uniform(dimension, 0, double.PositiveInfinity);

    /// <summary>The number of variables.</summary>
    public int Dimension => _lower.Length;

    /// <summary>The lower bounds.</summary>
    public IReadOnlyList<double> Lower => _lower;

    /// <summary>The upper bounds.</summary>
    public IReadOnlyList<double> Upper => _upper;

    internal double[] LowerArray => _lower;

    internal double[] UpperArray => _upper;

    /// <summary>Projects <paramref name="x"/> onto the box in place.</summary>
    internal void Project(Span<double> x)
    {
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = Math.Clamp(x[i], _lower[i], _upper[i]);
        }
    }

    /// <summary>‖P(x − g) − x‖∞: the first-order optimality measure of the box-constrained problem.</summary>
    internal double ProjectedGradientNorm(ReadOnlySpan<double> x, ReadOnlySpan<double> g)
    {
        double norm = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double step = Math.Clamp(x[i] - g[i], _lower[i], _upper[i]) - x[i];
            norm = Math.Max(norm, Math.Abs(step));
        }

        return norm;
    }
}

/// <summary>A snapshot passed to <see cref="MinimizeOptions.Callback"/> after every iteration.</summary>
/// <param name="Iteration">Iterations so far.</param>
/// <param name="X">The current point (do not keep: the buffer is reused).</param>
/// <param name="Value">f at <paramref name="X"/>.</param>
/// <param name="GradientNorm">The (projected) gradient's largest component at <paramref name="X"/>.</param>
/// <param name="FunctionEvaluations">Evaluations of f so far.</param>
public readonly record struct MinimizeProgress(int Iteration, ReadOnlyMemory<double> X, double Value, double GradientNorm, long FunctionEvaluations);

/// <summary>
/// Options of <see cref="Optimize.Minimize(DifferentiableFunction, ReadOnlySpan{double}, MinimizeOptions?)"/>. The defaults
/// aim at the answer to many digits: L-BFGS with 10 pairs and a strong-Wolfe line search, stopping on a projected
/// gradient of 1e-8 or a relative reduction of f of 2.2e-9 (SciPy's ftol), with limits (15,000 iterations and
/// evaluations, SciPy's) that a well-posed problem does not meet.
/// </summary>
public sealed record MinimizeOptions
{
    /// <summary>The algorithm (default <see cref="MinimizeMethod.Auto"/>).</summary>
    public MinimizeMethod Method { get; init; } = MinimizeMethod.Auto;

    /// <summary>Box constraints; null for none. Only <see cref="MinimizeMethod.LbfgsB"/> (and Auto) take them.</summary>
    public Bounds? Bounds { get; init; }

    /// <summary>
    /// gtol: stop when the largest component of the projected gradient P(x − ∇f) − x (the gradient itself without
    /// bounds) is at most this. Default 1e-8.
    /// </summary>
    public double GradientTolerance { get; init; } = 1e-8;

    /// <summary>
    /// ftol: stop when an iteration reduces f by at most this, relatively: (f_k − f_{k+1}) ≤ ftol·max(|f_k|, |f_{k+1}|).
    /// Default 2.2e-9 (SciPy's L-BFGS-B: factr 10⁷ × ε). 0 turns the test off.
    /// </summary>
    public double FunctionTolerance { get; init; } = 2.220446049250313e-9;

    /// <summary>The iterations allowed (default 15,000).</summary>
    public int MaxIterations { get; init; } = 15_000;

    /// <summary>The evaluations of f and ∇f allowed (default 15,000).</summary>
    public int MaxEvaluations { get; init; } = 15_000;

    /// <summary>The number of (s, y) pairs L-BFGS keeps (default 10).</summary>
    public int HistorySize { get; init; } = 10;

    /// <summary>Called after every iteration; return false to stop (status <see cref="MinimizeStatus.Stopped"/>).</summary>
    public Func<MinimizeProgress, bool>? Callback { get; init; }

    /// <summary>The options of <see cref="MinimizeMethod.LevenbergMarquardt"/> (MINPACK's ftol, xtol, gtol, maxfev…); null for its defaults.</summary>
    public LevenbergMarquardtOptions? LevenbergMarquardt { get; init; }

    /// <summary>The defaults.</summary>
    public static MinimizeOptions Default { get; } = new();
}
