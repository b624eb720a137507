namespace SymbolicGrad.Optimizers;

/// <summary>Gradient clipping with PyTorch's semantics (<c>torch.nn.utils.clip_grad_norm_</c> and <c>clip_grad_value_</c>).</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales <paramref name="gradient"/> so that its <paramref name="normType"/>-norm is at most about
    /// <paramref name="maxNorm"/>: coef = min(1, maxNorm/(total + 1e-6)), and every component is multiplied by coef
    /// (also when coef = 1). Because of the 1e-6 the clipped norm is slightly below maxNorm.
    /// </summary>
    /// <param name="gradient">The gradient, clipped in place.</param>
    /// <param name="maxNorm">The largest allowed norm, ≥ 0.</param>
    /// <param name="normType">p &gt; 0, or <see cref="double.PositiveInfinity"/> for the max-norm.</param>
    /// <returns>The norm before clipping (which may be infinite or NaN; the gradient then becomes NaN, as in PyTorch).</returns>
    public static double ClipByGlobalNorm(Span<double> gradient, double maxNorm, double normType = 2.0)
    {
        Guard.NonNegative(maxNorm, nameof(maxNorm));
        if (!(normType > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(normType), normType, "normType must be > 0 or +∞.");
        }

        double total = Norm(gradient, normType);
        double coefficient = Math.Min(maxNorm / (total + 1e-6), 1.0);
        if (double.IsNaN(total))
        {
            coefficient = double.NaN;
        }

        for (int i = 0; i < gradient.Length; i++)
        {
            gradient[i] *= coefficient;
        }

        return total;
    }

    /// <summary>Clamps every component of <paramref name="gradient"/> into [−clipValue, clipValue] (NaN stays NaN).</summary>
    public static void ClipByValue(Span<double> gradient, double clipValue)
    {
        Guard.NonNegative(clipValue, nameof(clipValue));
        for (int i = 0; i < gradient.Length; i++)
        {
            double g = gradient[i];
            gradient[i] = g > clipValue ? clipValue : g < -clipValue ? -clipValue : g;
        }
    }

    /// <summary>The p-norm (p = +∞: the largest magnitude).</summary>
    public static double Norm(ReadOnlySpan<double> vector, double normType = 2.0)
    {
        if (double.IsPositiveInfinity(normType))
        {
            double max = 0;
            foreach (double x in vector)
            {
                double a = Math.Abs(x);
                if (a > max || double.IsNaN(a))
                {
                    max = a;
                }
            }

            return max;
        }

        double sum = 0;
        if (normType == 2)
        {
            foreach (double x in vector)
            {
                sum += x * x;
            }

            return Math.Sqrt(sum);
        }

        if (normType == 1)
        {
            foreach (double x in vector)
            {
                sum += Math.Abs(x);
            }

            return sum;
        }

        foreach (double x in vector)
        {
            sum += Math.Pow(Math.Abs(x), normType);
        }

        return Math.Pow(sum, 1 / normType);
    }
}

/// <summary>A clipping rule applied to each batch gradient by the <see cref="Trainer"/>.</summary>
public abstract class GradientClip
{
    private GradientClip()
    {
    }

    /// <summary>Clip the global <paramref name="normType"/>-norm to <paramref name="maxNorm"/> (see <see cref="GradientClipping.ClipByGlobalNorm"/>).</summary>
    public static GradientClip ByGlobalNorm(double maxNorm, double normType = 2.0)
    {
        Guard.NonNegative(maxNorm, nameof(maxNorm));
        if (!(normType > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(normType), normType, "normType must be > 0 or +∞.");
        }

        return new NormClip(maxNorm, normType);
    }

    /// <summary>Clamp every component into [−clipValue, clipValue] (see <see cref="GradientClipping.ClipByValue"/>).</summary>
    public static GradientClip ByValue(double clipValue) => new ValueClip(Guard.NonNegative(clipValue, nameof(clipValue)));

    /// <summary>Clips <paramref name="gradient"/> in place.</summary>
    public abstract void Apply(Span<double> gradient);

    private sealed class NormClip(double maxNorm, double normType) : GradientClip
    {
        public override void Apply(Span<double> gradient) => GradientClipping.ClipByGlobalNorm(gradient, maxNorm, normType);
    }

    private sealed class ValueClip(double clipValue) : GradientClip
    {
        public override void Apply(Span<double> gradient) => GradientClipping.ClipByValue(gradient, clipValue);
    }
}
