using SymbolicGrad.Internal;

namespace SymbolicGrad;

/// <summary>Writes the residuals r(parameters) into <paramref name="residuals"/>.</summary>
/// <param name="parameters">The point.</param>
/// <param name="residuals">Receives r (length m).</param>
public delegate void ResidualFunction(ReadOnlySpan<double> parameters, Span<double> residuals);

/// <summary>Writes the residuals and their dense Jacobian (row-major, m × n: row i is ∇rᵢ).</summary>
/// <param name="parameters">The point.</param>
/// <param name="residuals">Receives r (length m).</param>
/// <param name="jacobian">Receives J (length m·n), J[i·n + j] = ∂rᵢ/∂xⱼ.</param>
public delegate void ResidualJacobianFunction(ReadOnlySpan<double> parameters, Span<double> residuals, Span<double> jacobian);

/// <summary>
/// A vector-valued function r: ℝⁿ → ℝᵐ with its exact Jacobian: the shape nonlinear least squares
/// (minimize ½‖r(x)‖², for example with Levenberg–Marquardt) takes. The generator emits one for every
/// <see cref="DifferentiableAttribute"/> method that returns <c>void</c> and writes its results into a last
/// <c>Span&lt;double&gt;</c> parameter (<c>NameLeastSquares(...)</c>).
/// </summary>
public sealed class LeastSquaresFunction
{
    private readonly ResidualFunction _residuals;
    private readonly ResidualJacobianFunction _jacobian;

    /// <summary>Creates a least-squares function.</summary>
    /// <param name="dimension">n, the number of parameters (at least 1).</param>
    /// <param name="residualCount">m, the number of residuals (at least 1).</param>
    /// <param name="residuals">Evaluates r.</param>
    /// <param name="jacobian">Evaluates r and J.</param>
    /// <param name="name">A display name used in reports.</param>
    /// <param name="parameterNames">Optional names of the parameters; one per dimension.</param>
    public LeastSquaresFunction(
        int dimension,
        int residualCount,
        ResidualFunction residuals,
        ResidualJacobianFunction jacobian,
        string? name = null,
        IReadOnlyList<string>? parameterNames = null)
    {
        if (dimension < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension,
                $"{name ?? "r"} would have {dimension} parameters to differentiate; a LeastSquaresFunction needs at least one " +
                "(for a generated NameLeastSquares, give its array parameters a length of at least 1).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(residualCount, 1);
        ArgumentNullException.ThrowIfNull(residuals);
        ArgumentNullException.ThrowIfNull(jacobian);
        if (parameterNames is not null && parameterNames.Count != dimension)
        {
            throw new ArgumentException(
                $"parameterNames has {parameterNames.Count} names but the function has {dimension} parameters.",
                nameof(parameterNames));
        }

        Dimension = dimension;
        ResidualCount = residualCount;
        _residuals = residuals;
        _jacobian = jacobian;
        Name = name ?? "r";
        ParameterNames = parameterNames ?? ParameterNameList.Default(dimension);
    }

    /// <summary>n, the number of parameters.</summary>
    public int Dimension { get; }

    /// <summary>m, the number of residuals.</summary>
    public int ResidualCount { get; }

    /// <summary>A display name.</summary>
    public string Name { get; }

    /// <summary>The names of the parameters, one per dimension.</summary>
    public IReadOnlyList<string> ParameterNames { get; }

    /// <summary>Evaluates r at <paramref name="parameters"/>.</summary>
    /// <exception cref="ArgumentException">A span's length does not match n or m, or <paramref name="residuals"/> shares memory with <paramref name="parameters"/>.</exception>
    public void Residuals(ReadOnlySpan<double> parameters, Span<double> residuals)
    {
        CheckLength(parameters.Length, Dimension, nameof(parameters), "parameters");
        CheckLength(residuals.Length, ResidualCount, nameof(residuals), "residuals");
        DifferentiableFunction.ThrowIfOverlaps(residuals, nameof(residuals), parameters, nameof(parameters));
        int depth = ObjectiveBuffers.Enter();
        try
        {
            _residuals(parameters, residuals);
        }
        finally
        {
            ObjectiveBuffers.Exit(depth);
        }
    }

    /// <summary>Evaluates r and its Jacobian J (row-major, m × n) at <paramref name="parameters"/>.</summary>
    /// <exception cref="ArgumentException">A span's length does not match n, m or m·n, or two of the spans share memory.</exception>
    public void Jacobian(ReadOnlySpan<double> parameters, Span<double> residuals, Span<double> jacobian)
    {
        CheckLength(parameters.Length, Dimension, nameof(parameters), "parameters");
        CheckLength(residuals.Length, ResidualCount, nameof(residuals), "residuals");
        CheckLength(jacobian.Length, ResidualCount * Dimension, nameof(jacobian), "Jacobian entries (m·n)");
        DifferentiableFunction.ThrowIfOverlaps(residuals, nameof(residuals), parameters, nameof(parameters));
        DifferentiableFunction.ThrowIfOverlaps(jacobian, nameof(jacobian), parameters, nameof(parameters));
        DifferentiableFunction.ThrowIfOverlaps(jacobian, nameof(jacobian), residuals, nameof(residuals));
        int depth = ObjectiveBuffers.Enter();
        try
        {
            _jacobian(parameters, residuals, jacobian);
        }
        finally
        {
            ObjectiveBuffers.Exit(depth);
        }
    }

    /// <summary>½‖r(x)‖² at <paramref name="parameters"/>.</summary>
    public double Cost(ReadOnlySpan<double> parameters)
    {
        var r = new double[ResidualCount];
        Residuals(parameters, r);
        double sum = 0;
        foreach (double ri in r)
        {
            sum += ri * ri;
        }

        return 0.5 * sum;
    }

    /// <summary>
    /// The scalar objective f(x) = ½‖r(x)‖² with its exact gradient Jᵀr, so that gradient-based minimizers and
    /// <see cref="GradientCheck"/> can take a least-squares problem.
    /// </summary>
    public DifferentiableFunction ToObjective()
    {
        int m = ResidualCount;
        int n = Dimension;
        return new DifferentiableFunction(
            n,
            x => Cost(x),
            (x, gradient) =>
            {
                var r = new double[m];
                var j = new double[m * n];
                Jacobian(x, r, j);
                gradient.Clear();
                double sum = 0;
                for (int i = 0; i < m; i++)
                {
                    sum += r[i] * r[i];
                    for (int k = 0; k < n; k++)
                    {
                        gradient[k] += j[(i * n) + k] * r[i];
                    }
                }

                return 0.5 * sum;
            },
            "½‖" + Name + "‖²",
            ParameterNames);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name}({string.Join(", ", ParameterNames)}) ∈ ℝ^{ResidualCount}";

    private void CheckLength(int length, int expected, string argument, string what)
    {
        if (length != expected)
        {
            throw new ArgumentException($"{Name} has {expected} {what} but {argument} has length {length}.", argument);
        }
    }
}
