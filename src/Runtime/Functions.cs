using SymbolicGrad.Internal;

namespace SymbolicGrad;

/// <summary>A scalar function of a parameter vector.</summary>
/// <param name="parameters">The point at which to evaluate.</param>
/// <returns>The function's value.</returns>
public delegate double ScalarFunction(ReadOnlySpan<double> parameters);

/// <summary>
/// The one function shape everything that differentiates or minimizes uses: writes ∇f(parameters)
/// into <paramref name="gradient"/> and returns f(parameters).
/// </summary>
/// <param name="parameters">The point at which to evaluate.</param>
/// <param name="gradient">Receives the gradient; its length equals the length of <paramref name="parameters"/>.</param>
/// <returns>The function's value.</returns>
public delegate double ValueAndGradientFunction(ReadOnlySpan<double> parameters, Span<double> gradient);

/// <summary>Writes H(parameters)·v into <paramref name="result"/>: the Hessian times a vector, exactly.</summary>
/// <param name="parameters">The point.</param>
/// <param name="v">The direction.</param>
/// <param name="result">Receives H·v.</param>
public delegate void HessianVectorProductFunction(ReadOnlySpan<double> parameters, ReadOnlySpan<double> v, Span<double> result);

/// <summary>Writes the dense n × n Hessian at <paramref name="parameters"/> into <paramref name="result"/>, row-major.</summary>
/// <param name="parameters">The point.</param>
/// <param name="result">Receives the Hessian (length n²).</param>
public delegate void HessianFunction(ReadOnlySpan<double> parameters, Span<double> result);

/// <summary>
/// A differentiable scalar function of a vector of <see cref="Dimension"/> parameters: its value and
/// its exact gradient. The generator emits one for every <see cref="DifferentiableAttribute"/> method
/// (<c>NameObjective(...)</c>); you can also build one from any pair of delegates.
/// </summary>
public sealed class DifferentiableFunction
{
    private readonly ScalarFunction _value;
    private readonly ValueAndGradientFunction _valueAndGradient;
    private readonly HessianVectorProductFunction? _hessianVectorProduct;
    private readonly HessianFunction? _hessian;

    /// <summary>Creates a differentiable function.</summary>
    /// <param name="dimension">The number of parameters (at least 1).</param>
    /// <param name="value">Evaluates the function.</param>
    /// <param name="valueAndGradient">Evaluates the function and its gradient.</param>
    /// <param name="name">A display name used in reports.</param>
    /// <param name="parameterNames">Optional names of the parameters, used in reports; one per dimension.</param>
    /// <param name="derivatives">Optional plain-math description of the partial derivatives (the generator fills it in).</param>
    /// <param name="hessianVectorProduct">Optional exact Hessian-vector product; when given, <see cref="HasHessian"/> is true.</param>
    /// <param name="hessian">Optional dense Hessian (row-major, n × n); when omitted but <paramref name="hessianVectorProduct"/> is given,
    /// <see cref="Hessian"/> is assembled from n Hessian-vector products; when given alone, the product is H·v from it.</param>
    public DifferentiableFunction(
        int dimension,
        ScalarFunction value,
        ValueAndGradientFunction valueAndGradient,
        string? name = null,
        IReadOnlyList<string>? parameterNames = null,
        IReadOnlyList<string>? derivatives = null,
        HessianVectorProductFunction? hessianVectorProduct = null,
        HessianFunction? hessian = null)
    {
        if (dimension < 1)
        {
            // A generated NameObjective(int xLength) passes its array lengths' sum: say which function and what to change.
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension,
                $"{name ?? "f"} would have {dimension} parameters to differentiate; a DifferentiableFunction needs at least one " +
                "(for a generated NameObjective, give its array parameters a length of at least 1).");
        }

        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(valueAndGradient);
        if (parameterNames is not null && parameterNames.Count != dimension)
        {
            throw new ArgumentException(
                $"parameterNames has {parameterNames.Count} names but the function has {dimension} parameters.",
                nameof(parameterNames));
        }

        Dimension = dimension;
        _value = value;
        _valueAndGradient = valueAndGradient;
        Name = name ?? "f";
        ParameterNames = parameterNames ?? ParameterNameList.Default(dimension);
        Derivatives = derivatives ?? Array.Empty<string>();
        if (hessian is not null && hessianVectorProduct is null)
        {
            // A dense Hessian alone (the MGH paper's second derivatives, written by hand): its product is H·v.
            if ((long)dimension * dimension > Array.MaxLength)
            {
                throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"A dense Hessian of {dimension} parameters would have {(long)dimension * dimension} entries, more than a .NET array can hold: pass hessianVectorProduct instead."), nameof(hessian));
            }

            hessianVectorProduct = (parameters, v, result) =>
            {
                var h = new double[dimension * dimension];
                hessian(parameters, h);
                for (int i = 0; i < dimension; i++)
                {
                    double sum = 0;
                    for (int j = 0; j < dimension; j++)
                    {
                        sum += h[(i * dimension) + j] * v[j];
                    }

                    result[i] = sum;
                }
            };
        }

        _hessianVectorProduct = hessianVectorProduct;
        _hessian = hessian;
    }

    /// <summary>
    /// True when exact second derivatives are available (<see cref="HessianVectorProduct"/>, <see cref="Hessian"/>):
    /// a generated objective of a method marked <c>[Differentiable(Hessian = true)]</c>, or one built with them.
    /// </summary>
    public bool HasHessian => _hessianVectorProduct is not null;

    /// <summary>The number of parameters.</summary>
    public int Dimension { get; }

    /// <summary>A display name.</summary>
    public string Name { get; }

    /// <summary>The names of the parameters, one per dimension.</summary>
    public IReadOnlyList<string> ParameterNames { get; }

    /// <summary>
    /// The partial derivatives in plain math, one line per parameter (e.g. <c>∂Loss/∂w = 2·(w − 3)</c>), as the
    /// generator derived them; empty when not known.
    /// </summary>
    public IReadOnlyList<string> Derivatives { get; }

    /// <summary>
    /// The unit roundoff of the arithmetic f is computed in: 2⁻⁵³ ≈ 1.1e-16 for <c>double</c> (the default), 2⁻²⁴ ≈
    /// 6.0e-8 when f computes in <c>float</c> (the generator sets it on the objectives of methods with float values).
    /// <see cref="GradientCheck"/> sizes its default step and tolerances from it: the rounding noise of a float f swamps a
    /// centered difference taken with the step that suits a double f.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a value that is not in [2⁻⁵³, 1).</exception>
    public double RoundingUnit
    {
        get => _roundingUnit;
        init
        {
            if (!(value >= DoubleRoundingUnit && value < 1))
            {
                throw new ArgumentOutOfRangeException(nameof(RoundingUnit), value,
                    "RoundingUnit is the unit roundoff of f's arithmetic: at least 2^-53 (double), e.g. 2^-24 for float, and below 1.");
            }

            _roundingUnit = value;
        }
    }

    /// <summary>2⁻⁵³, the unit roundoff of <c>double</c>.</summary>
    public const double DoubleRoundingUnit = 1.1102230246251565E-16;

    /// <summary>2⁻²⁴, the unit roundoff of <c>float</c>.</summary>
    public const double SingleRoundingUnit = 5.9604644775390625E-08;

    private readonly double _roundingUnit = DoubleRoundingUnit;

    /// <summary>Evaluates f at <paramref name="parameters"/>.</summary>
    /// <exception cref="ArgumentException">The length of <paramref name="parameters"/> is not <see cref="Dimension"/>.</exception>
    public double Value(ReadOnlySpan<double> parameters)
    {
        CheckLength(parameters.Length, nameof(parameters));
        int depth = ObjectiveBuffers.Enter();
        try
        {
            return _value(parameters);
        }
        finally
        {
            ObjectiveBuffers.Exit(depth);
        }
    }

    /// <summary>Evaluates f and writes ∇f into <paramref name="gradient"/>.</summary>
    /// <exception cref="ArgumentException">A span's length is not <see cref="Dimension"/>, or <paramref name="gradient"/> shares memory with <paramref name="parameters"/>.</exception>
    public double ValueAndGradient(ReadOnlySpan<double> parameters, Span<double> gradient)
    {
        CheckLength(parameters.Length, nameof(parameters));
        CheckLength(gradient.Length, nameof(gradient));
        ThrowIfOverlaps(gradient, nameof(gradient), parameters, nameof(parameters));
        int depth = ObjectiveBuffers.Enter();
        try
        {
            return _valueAndGradient(parameters, gradient);
        }
        finally
        {
            ObjectiveBuffers.Exit(depth);
        }
    }

    /// <summary>Writes H(<paramref name="parameters"/>)·<paramref name="v"/> into <paramref name="result"/>, exactly.</summary>
    /// <exception cref="NotSupportedException"><see cref="HasHessian"/> is false.</exception>
    /// <exception cref="ArgumentException">A span's length is not <see cref="Dimension"/>, or <paramref name="result"/> shares memory with an input.</exception>
    public void HessianVectorProduct(ReadOnlySpan<double> parameters, ReadOnlySpan<double> v, Span<double> result)
    {
        var hvp = _hessianVectorProduct ?? throw NoHessian();
        CheckLength(parameters.Length, nameof(parameters));
        CheckLength(v.Length, nameof(v));
        CheckLength(result.Length, nameof(result));
        ThrowIfOverlaps(result, nameof(result), parameters, nameof(parameters));
        ThrowIfOverlaps(result, nameof(result), v, nameof(v));
        int depth = ObjectiveBuffers.Enter();
        try
        {
            hvp(parameters, v, result);
        }
        finally
        {
            ObjectiveBuffers.Exit(depth);
        }
    }

    /// <summary>Writes the dense Hessian at <paramref name="parameters"/> into <paramref name="result"/> (row-major, n × n, symmetric).</summary>
    /// <exception cref="NotSupportedException"><see cref="HasHessian"/> is false.</exception>
    /// <exception cref="ArgumentException"><paramref name="parameters"/> does not have length n, or <paramref name="result"/> length n²; or <paramref name="result"/> shares memory with <paramref name="parameters"/>.</exception>
    public void Hessian(ReadOnlySpan<double> parameters, Span<double> result)
    {
        var hvp = _hessianVectorProduct ?? throw NoHessian();
        CheckLength(parameters.Length, nameof(parameters));
        int n = Dimension;
        long entries = (long)n * n;
        if (entries > Array.MaxLength)
        {
            throw new NotSupportedException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{Name} has {n} parameters, so its dense Hessian would have {entries} entries, more than a .NET array or span can hold ({Array.MaxLength}); use HessianVectorProduct (Newton-CG needs only products)."));
        }

        if (result.Length != entries)
        {
            throw new ArgumentException($"{Name} has {n} parameters, so its Hessian has {entries} entries, but result has length {result.Length}.", nameof(result));
        }

        ThrowIfOverlaps(result, nameof(result), parameters, nameof(parameters));
        int depth = ObjectiveBuffers.Enter();
        try
        {
            FillHessian(hvp, parameters, result);
        }
        finally
        {
            ObjectiveBuffers.Exit(depth);
        }
    }

    private void FillHessian(HessianVectorProductFunction hvp, ReadOnlySpan<double> parameters, Span<double> result)
    {
        int n = Dimension;
        if (_hessian is not null)
        {
            _hessian(parameters, result);
            return;
        }

        // Column j of H is H·e_j, and H is symmetric, so it is also row j: each product is written straight into its row.
        // Then the two triangles are averaged, which removes the rounding asymmetry of the products.
        var e = new double[n];
        for (int j = 0; j < n; j++)
        {
            e[j] = 1.0;
            hvp(parameters, e, result.Slice(j * n, n));
            e[j] = 0.0;
        }

        for (int i = 0; i < n; i++)
        {
            for (int j = i + 1; j < n; j++)
            {
                double mean = 0.5 * (result[(i * n) + j] + result[(j * n) + i]);
                result[(i * n) + j] = mean;
                result[(j * n) + i] = mean;
            }
        }
    }

    /// <summary>The value-and-gradient delegate, with length checks, for APIs that take the plain shape.</summary>
    public ValueAndGradientFunction AsValueAndGradient() => ValueAndGradient;

    /// <summary>The value delegate, with length checks.</summary>
    public ScalarFunction AsValue() => Value;

    /// <inheritdoc />
    public override string ToString() => $"{Name}({string.Join(", ", ParameterNames)})";

    /// <summary>
    /// Names for a packed vector: a scalar keeps its name, an array of length n becomes name[0] … name[n−1].
    /// Used by generated NameObjective methods.
    /// </summary>
    /// <param name="names">The parameter names, in order.</param>
    /// <param name="lengths">For each name: its length, or −1 for a scalar.</param>
    public static string[] PackedNames(string[] names, int[] lengths)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(lengths);
        if (lengths.Length != names.Length)
        {
            throw new ArgumentException($"lengths has {lengths.Length} entries but names has {names.Length}: give one length (−1 for a scalar) per name.", nameof(lengths));
        }

        var result = new List<string>();
        for (int i = 0; i < names.Length; i++)
        {
            if (lengths[i] < 0)
            {
                result.Add(names[i]);
                continue;
            }

            for (int j = 0; j < lengths[i]; j++)
            {
                result.Add(names[i] + "[" + j.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]");
            }
        }

        return result.ToArray();
    }

    private NotSupportedException NoHessian() => new(
        $"{Name} has no exact second derivatives: mark its method [Differentiable(Hessian = true)] so that the generator writes them, " +
        "or build the DifferentiableFunction with a Hessian-vector product.");

    /// <summary>
    /// An output that shares memory with an input is written while the input is still read (a generated method clears its
    /// outputs at entry): the result would be wrong without a word, so it is an error naming both.
    /// </summary>
    internal static void ThrowIfOverlaps(ReadOnlySpan<double> output, string outputName, ReadOnlySpan<double> input, string inputName)
    {
        if (output.Overlaps(input))
        {
            throw new ArgumentException(
                $"{outputName} shares memory with {inputName}: the function writes {outputName} while it uses {inputName}, so give it a separate buffer.",
                outputName);
        }
    }

    private void CheckLength(int length, string argument)
    {
        if (length != Dimension)
        {
            throw new ArgumentException(
                $"{Name} takes {Dimension} parameters but {argument} has length {length}.", argument);
        }
    }
}
