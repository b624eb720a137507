using System.Globalization;

namespace SymbolicGrad;

/// <summary>How <see cref="NumericGradient"/> chooses its finite-difference steps.</summary>
public sealed record NumericGradientOptions
{
    /// <summary>
    /// Multiplies the default step of each component. The default step is ∛ε·max(1, |xᵢ|) for a plain
    /// centered difference, and ε^(1/5)·max(1, |xᵢ|) with <see cref="Richardson"/>, the steps that balance
    /// truncation against rounding error for each scheme.
    /// </summary>
    public double StepScale { get; init; } = 1.0;

    /// <summary>
    /// Combine the centered differences at h and h/2 as (4·D(h/2) − D(h))/3, which cancels the h² error
    /// term: about four more correct digits for four function evaluations per component instead of two.
    /// </summary>
    public bool Richardson { get; init; }

    /// <summary>The default options: a plain centered difference.</summary>
    public static NumericGradientOptions Default { get; } = new();
}

/// <summary>
/// Centered-difference gradients: the reference that generated gradients are checked against
/// (the seeds' <c>numerical_gradient</c>). Costs 2N evaluations of f (4N with Richardson extrapolation).
/// </summary>
public static class NumericGradient
{
    private static readonly double CubeRootEpsilon = Math.Cbrt(Math.ScaleB(1.0, -52));
    private static readonly double FifthRootEpsilon = Math.Pow(Math.ScaleB(1.0, -52), 0.2);

    /// <summary>The step used for component value <paramref name="x"/>.</summary>
    public static double Step(double x, NumericGradientOptions? options = null)
    {
        options ??= NumericGradientOptions.Default;
        if (!(options.StepScale > 0) || double.IsInfinity(options.StepScale))
        {
            // As Compute checks it: a NaN or negative scale gave a NaN or negative step.
            throw new ArgumentOutOfRangeException(nameof(options), options.StepScale, "StepScale must be a positive finite number.");
        }

        if (!double.IsFinite(x))
        {
            // A step for a coordinate that is NaN or infinite was NaN or infinite, silently (red-team O).
            throw new ArgumentOutOfRangeException(nameof(x), x, "x must be a finite number: a centered difference has no step at NaN or ±∞.");
        }

        double root = options.Richardson ? FifthRootEpsilon : CubeRootEpsilon;
        return options.StepScale * root * Math.Max(1.0, Math.Abs(x));
    }

    /// <summary>Computes the centered-difference gradient of <paramref name="f"/> at <paramref name="x"/>.</summary>
    /// <returns>A new array holding the gradient.</returns>
    public static double[] Compute(ScalarFunction f, ReadOnlySpan<double> x, NumericGradientOptions? options = null)
    {
        var gradient = new double[x.Length];
        Compute(f, x, gradient, options);
        return gradient;
    }

    /// <summary>Computes the centered-difference gradient of <paramref name="f"/> at <paramref name="x"/> into <paramref name="gradient"/>.</summary>
    /// <exception cref="ArgumentException">The lengths differ, <paramref name="x"/> is empty, or a component of <paramref name="x"/> is not finite.</exception>
    public static void Compute(ScalarFunction f, ReadOnlySpan<double> x, Span<double> gradient, NumericGradientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        options ??= NumericGradientOptions.Default;
        ValidatePoint(x, nameof(x));
        if (gradient.Length != x.Length)
        {
            throw new ArgumentException(
                $"gradient has length {gradient.Length} but x has length {x.Length}.", nameof(gradient));
        }

        if (!(options.StepScale > 0) || double.IsInfinity(options.StepScale))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.StepScale, "StepScale must be a positive finite number.");
        }

        double[] work = x.ToArray();
        for (int i = 0; i < work.Length; i++)
        {
            double h = Step(x[i], options);
            double d = Centered(f, work, i, h);
            if (options.Richardson)
            {
                double dHalf = Centered(f, work, i, h / 2);
                d = (4 * dHalf - d) / 3;
            }

            gradient[i] = d;
        }
    }

    /// <summary>Throws when <paramref name="x"/> is empty or holds a NaN or an infinity.</summary>
    internal static void ValidatePoint(ReadOnlySpan<double> x, string argument)
    {
        if (x.IsEmpty)
        {
            throw new ArgumentException("The point has no components.", argument);
        }

        for (int i = 0; i < x.Length; i++)
        {
            if (!double.IsFinite(x[i]))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"{argument}[{i}] is {x[i]}: gradients can only be checked at finite points."),
                    argument);
            }
        }
    }

    private static double Centered(ScalarFunction f, double[] work, int i, double h)
    {
        double original = work[i];
        // Divide by the step the floating-point numbers really took, not by the nominal 2h.
        double plus = original + h;
        double minus = original - h;
        work[i] = plus;
        double fPlus = f(work);
        work[i] = minus;
        double fMinus = f(work);
        work[i] = original;
        return (fPlus - fMinus) / (plus - minus);
    }
}
