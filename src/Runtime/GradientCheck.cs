using System.Globalization;
using System.Text;

namespace SymbolicGrad;

/// <summary>Tolerances and steps for <see cref="GradientCheck"/>.</summary>
public sealed record GradientCheckOptions
{
    /// <summary>atol in |analytic − numeric| ≤ atol + rtol·|numeric|.</summary>
    public double AbsoluteTolerance { get; init; } = 1e-6;

    /// <summary>rtol in |analytic − numeric| ≤ atol + rtol·|numeric|.</summary>
    public double RelativeTolerance { get; init; } = 1e-5;

    /// <summary>Use Richardson extrapolation for the numeric gradient (see <see cref="NumericGradientOptions.Richardson"/>).</summary>
    public bool Richardson { get; init; }

    /// <summary>Multiplies the default finite-difference step.</summary>
    public double StepScale { get; init; } = 1.0;

    /// <summary>
    /// Add the numeric gradient's own error to each tolerance, estimated from the function itself: its truncation error
    /// as |D(h) − D(2h)| (the change of the centered difference when its step doubles), and its rounding error as
    /// 3σ/h, where σ is the noise of f measured from the fourth differences of f at 17 points a small step apart along
    /// three coordinates (as Moré and Wild's ECnoise does). Costs a second numeric gradient and 51 evaluations. On in
    /// <see cref="Single"/>: the value of a float function with a long sum is noisy at u·Σ|terms|, far above u·|f|, and a
    /// correct gradient failed the check.
    /// </summary>
    public bool EstimateNumericError { get; init; }

    /// <summary>The default options.</summary>
    public static GradientCheckOptions Default { get; } = new();

    /// <summary>
    /// For a function computed in <c>float</c> (unit roundoff 6e-8): a step 300 × the default (near the cube root of
    /// the noise, where truncation and rounding errors balance) and tolerances of the accuracy that step can reach,
    /// about (6e-8)^(2/3): <c>StepScale = 300, RelativeTolerance = 1e-3, AbsoluteTolerance = 1e-4</c>; and the numeric
    /// gradient's own error added to each tolerance (<see cref="EstimateNumericError"/>), for long float sums.
    /// </summary>
    public static GradientCheckOptions Single { get; } = new() { StepScale = 300, RelativeTolerance = 1e-3, AbsoluteTolerance = 1e-4, EstimateNumericError = true };

    /// <summary>
    /// The options <see cref="GradientCheck.Check(DifferentiableFunction, ReadOnlySpan{double}, GradientCheckOptions?)"/>
    /// uses when given none: <see cref="Single"/> for a function whose <see cref="DifferentiableFunction.RoundingUnit"/>
    /// is coarser than double's (a generated objective of a method with float values), otherwise <see cref="Default"/>.
    /// </summary>
    public static GradientCheckOptions For(DifferentiableFunction function)
    {
        ArgumentNullException.ThrowIfNull(function);
        return function.RoundingUnit > DifferentiableFunction.DoubleRoundingUnit ? Single : Default;
    }

    internal NumericGradientOptions NumericOptions => new() { Richardson = Richardson, StepScale = StepScale };
}

/// <summary>One component of a gradient check.</summary>
/// <param name="Index">The component's index.</param>
/// <param name="Name">The parameter's name.</param>
/// <param name="Analytic">The gradient under test.</param>
/// <param name="Numeric">The centered-difference gradient.</param>
/// <param name="Tolerance">atol + rtol·|numeric|.</param>
public readonly record struct GradientComponent(int Index, string Name, double Analytic, double Numeric, double Tolerance)
{
    /// <summary>|analytic − numeric|.</summary>
    public double AbsoluteError => Math.Abs(Analytic - Numeric);

    /// <summary>|analytic − numeric| / max(|numeric|, tiny).</summary>
    public double RelativeError => AbsoluteError / Math.Max(Math.Abs(Numeric), double.Epsilon);

    /// <summary>The error as a fraction of the tolerance: at most 1 passes.</summary>
    public double ErrorRatio => AbsoluteError / Tolerance;

    /// <summary>True when both values are finite and the error is within the tolerance.</summary>
    public bool Passed => double.IsFinite(Analytic) && double.IsFinite(Numeric) && AbsoluteError <= Tolerance;
}

/// <summary>The outcome of a gradient check: every component, the worst one, and a printable table.</summary>
public sealed class GradientCheckResult
{
    internal GradientCheckResult(string functionName, double[] point, double value, double valueFromGradient, GradientComponent[] components, GradientCheckOptions options)
    {
        FunctionName = functionName;
        Point = point;
        Value = value;
        ValueFromGradient = valueFromGradient;
        Components = components;
        Options = options;
        WorstIndex = 0;
        for (int i = 1; i < components.Length; i++)
        {
            if (Badness(components[i]) > Badness(components[WorstIndex]))
            {
                WorstIndex = i;
            }
        }
    }

    /// <summary>The checked function's display name.</summary>
    public string FunctionName { get; }

    /// <summary>The point of the check.</summary>
    public IReadOnlyList<double> Point { get; }

    /// <summary>f(x) from the value function.</summary>
    public double Value { get; }

    /// <summary>f(x) as returned by the value-and-gradient function; it must agree with <see cref="Value"/>.</summary>
    public double ValueFromGradient { get; }

    /// <summary>Every component.</summary>
    public IReadOnlyList<GradientComponent> Components { get; }

    /// <summary>The options used.</summary>
    public GradientCheckOptions Options { get; }

    /// <summary>The index of the component with the largest error relative to its tolerance (a non-finite one first).</summary>
    public int WorstIndex { get; }

    /// <summary>The component with the largest error relative to its tolerance.</summary>
    public GradientComponent Worst => Components[WorstIndex];

    /// <summary>True when both evaluations agree on the value.</summary>
    public bool ValueAgrees =>
        Value.Equals(ValueFromGradient) ||
        Math.Abs(Value - ValueFromGradient) <= Options.AbsoluteTolerance + Options.RelativeTolerance * Math.Abs(Value);

    /// <summary>True when the values agree and every component passes.</summary>
    public bool Passed => ValueAgrees && Components.All(c => c.Passed);

    /// <summary>Throws <see cref="GradientCheckException"/> with the table when the check failed.</summary>
    public GradientCheckResult ThrowIfFailed() => Passed ? this : throw new GradientCheckException(this);

    /// <summary>A summary line followed by a table with one row per component.</summary>
    public override string ToString()
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        var w = Worst;
        sb.Append(inv, $"gradient check of {FunctionName}: {(Passed ? "passed" : "FAILED")}");
        sb.Append(inv, $" (worst: {w.Name}, |error| {w.AbsoluteError:0.0e+00} vs tolerance {w.Tolerance:0.0e+00}");
        sb.Append(Options.Richardson ? ", Richardson)" : ")");
        sb.Append('\n');
        if (!ValueAgrees)
        {
            sb.Append(inv, $"value mismatch: f(x) = {Value:R} but the gradient method returned {ValueFromGradient:R}\n");
        }

        if (NotFiniteReason() is { } reason)
        {
            sb.Append(reason).Append('\n');
        }

        int nameWidth = Math.Max(9, Components.Max(c => c.Name.Length));
        string header = string.Format(inv, "{0}  {1,12}  {2,24}  {3,24}  {4,9}  {5,9}  {6}",
            "parameter".PadRight(nameWidth), "x", "analytic", "numeric", "abs err", "rel err", "ok");
        sb.Append(header).Append('\n');
        sb.Append(new string('-', header.Length)).Append('\n');
        foreach (var c in Components)
        {
            sb.Append(string.Format(inv, "{0}  {1,12:G6}  {2,24:R}  {3,24:R}  {4,9:0.0e+00}  {5,9:0.0e+00}  {6}",
                c.Name.PadRight(nameWidth), Point[c.Index], c.Analytic, c.Numeric, c.AbsoluteError, c.RelativeError,
                c.Passed ? "ok" : "FAIL"));
            sb.Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>Why the worst component has no error to compare (a NaN or infinite value or derivative), or null.</summary>
    private string? NotFiniteReason()
    {
        var w = Worst;
        if (!double.IsFinite(Value))
        {
            return string.Create(CultureInfo.InvariantCulture, $"f(x) is {Value}: derivatives can only be checked where f is finite (is x outside its domain?)");
        }

        if (!double.IsFinite(w.Numeric))
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"the numeric derivative for {w.Name} is {w.Numeric}: f is not finite at a point x ± h·e the differences evaluate (x is near the edge of the domain of f: check farther from it, or with a smaller StepScale)");
        }

        return double.IsFinite(w.Analytic)
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"the analytic derivative for {w.Name} is {w.Analytic} where f is finite: a derivative that does not exist at x (such as that of √ or |·| at 0)");
    }

    private static double Badness(GradientComponent c) =>
        double.IsFinite(c.Analytic) && double.IsFinite(c.Numeric) ? c.ErrorRatio : double.PositiveInfinity;
}

/// <summary>Thrown by <see cref="GradientCheckResult.ThrowIfFailed"/>; the message holds the whole table.</summary>
public sealed class GradientCheckException : Exception
{
    /// <summary>Creates the exception for a failed result.</summary>
    public GradientCheckException(GradientCheckResult result)
        : base(result.ToString()) => Result = result;

    /// <summary>The failed check.</summary>
    public GradientCheckResult Result { get; }
}

/// <summary>
/// Compares a gradient with centered differences, component by component, the way PyTorch's
/// <c>gradcheck</c> and JAX's <c>check_grads</c> are used:
/// <c>GradientCheck.Check(Losses.LossObjective(), [1.0, 2.0]).ThrowIfFailed()</c>.
/// </summary>
public static partial class GradientCheck
{
    /// <summary>
    /// Checks <paramref name="function"/>'s gradient at <paramref name="x"/>; without <paramref name="options"/>, with
    /// <see cref="GradientCheckOptions.For"/> the function (looser for one computed in float).
    /// </summary>
    public static GradientCheckResult Check(DifferentiableFunction function, ReadOnlySpan<double> x, GradientCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (x.Length != function.Dimension)
        {
            throw new ArgumentException($"{function.Name} takes {function.Dimension} parameters but x has length {x.Length}.", nameof(x));
        }

        return Check(function.AsValue(), function.AsValueAndGradient(), x, options ?? GradientCheckOptions.For(function), function.Name, function.ParameterNames);
    }

    /// <summary>Checks the gradient written by <paramref name="valueAndGradient"/> against centered differences of <paramref name="value"/>.</summary>
    public static GradientCheckResult Check(
        ScalarFunction value,
        ValueAndGradientFunction valueAndGradient,
        ReadOnlySpan<double> x,
        GradientCheckOptions? options = null,
        string? name = null,
        IReadOnlyList<string>? parameterNames = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(valueAndGradient);
        NumericGradient.ValidatePoint(x, nameof(x));
        var analytic = new double[x.Length];
        double valueFromGradient = valueAndGradient(x, analytic);
        return Compare(value, x, analytic, valueFromGradient, options, name, parameterNames);
    }

    /// <summary>Checks a gradient computed elsewhere (<paramref name="analyticGradient"/>) against centered differences of <paramref name="value"/>.</summary>
    public static GradientCheckResult Check(
        ScalarFunction value,
        ReadOnlySpan<double> x,
        ReadOnlySpan<double> analyticGradient,
        GradientCheckOptions? options = null,
        string? name = null,
        IReadOnlyList<string>? parameterNames = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        NumericGradient.ValidatePoint(x, nameof(x));
        if (analyticGradient.Length != x.Length)
        {
            throw new ArgumentException(
                $"analyticGradient has length {analyticGradient.Length} but x has length {x.Length}.", nameof(analyticGradient));
        }

        return Compare(value, x, analyticGradient.ToArray(), null, options, name, parameterNames);
    }

    private static GradientCheckResult Compare(
        ScalarFunction value,
        ReadOnlySpan<double> x,
        double[] analytic,
        double? valueFromGradient,
        GradientCheckOptions? options,
        string? name,
        IReadOnlyList<string>? parameterNames)
    {
        options ??= GradientCheckOptions.Default;
        if (!(options.AbsoluteTolerance >= 0) || !(options.RelativeTolerance >= 0) || double.IsInfinity(options.AbsoluteTolerance) || double.IsInfinity(options.RelativeTolerance))
        {
            // An infinite tolerance passes every gradient, however wrong.
            throw new ArgumentOutOfRangeException(nameof(options), string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"Tolerances must be finite non-negative numbers; got AbsoluteTolerance {options.AbsoluteTolerance}, RelativeTolerance {options.RelativeTolerance}."));
        }

        if (parameterNames is not null && parameterNames.Count != x.Length)
        {
            throw new ArgumentException($"parameterNames has {parameterNames.Count} names for {x.Length} parameters.", nameof(parameterNames));
        }

        double f = value(x);

        double[] numeric = NumericGradient.Compute(value, x, options.NumericOptions);
        double noise = options.EstimateNumericError ? Noise(value, x, options.NumericOptions) : 0.0;
        double[]? doubled = options.EstimateNumericError
            ? NumericGradient.Compute(value, x, options.NumericOptions with { StepScale = 2 * options.StepScale })
            : null;
        var components = new GradientComponent[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            string componentName = parameterNames?[i] ?? string.Create(CultureInfo.InvariantCulture, $"x[{i}]");
            double tolerance = options.AbsoluteTolerance + options.RelativeTolerance * Math.Abs(numeric[i]);
            if (doubled is not null && double.IsFinite(doubled[i]) && double.IsFinite(numeric[i]))
            {
                tolerance += Math.Abs(numeric[i] - doubled[i]) + (3 * noise / NumericGradient.Step(x[i], options.NumericOptions));
            }

            components[i] = new GradientComponent(i, componentName, analytic[i], numeric[i], tolerance);
        }

        return new GradientCheckResult(name ?? "f", x.ToArray(), f, valueFromGradient ?? f, components, options);
    }

    /// <summary>
    /// The standard deviation of f's rounding noise near x along one coordinate, the largest of the first, middle and
    /// last (a centered difference moves one coordinate; moving all at once showed far more noise than any one has): f at
    /// x + j·δ·max(1, |xₖ|)·eₖ for j = −8 … 8, δ a 64th of the numeric step. A fourth difference of a smooth function
    /// that close is negligible; of independent noise its variance is 70σ². 0 when an evaluation is not finite.
    /// </summary>
    private static double Noise(ScalarFunction value, ReadOnlySpan<double> x, NumericGradientOptions numeric)
    {
        const int points = 17;
        double delta = NumericGradient.Step(0.0, numeric) / 64;
        var at = x.ToArray();
        var f = new double[points];
        double largest = 0;
        foreach (int k in new[] { 0, x.Length / 2, x.Length - 1 }.Distinct())
        {
            double step = delta * Math.Max(1.0, Math.Abs(x[k]));
            for (int j = 0; j < points; j++)
            {
                at[k] = x[k] + ((j - (points / 2)) * step);
                f[j] = value(at);
                if (!double.IsFinite(f[j]))
                {
                    return 0.0;
                }
            }

            at[k] = x[k];
            double sum = 0;
            int count = 0;
            for (int j = 0; j + 4 < points; j++)
            {
                double d4 = f[j] - (4 * f[j + 1]) + (6 * f[j + 2]) - (4 * f[j + 3]) + f[j + 4];
                sum += d4 * d4;
                count++;
            }

            largest = Math.Max(largest, Math.Sqrt(sum / count / 70));
        }

        return largest;
    }
}
