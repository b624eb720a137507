using System.Globalization;
namespace SymbolicGrad.Optimizers;

/// <summary>The outcome of a learning-rate range test.</summary>
/// <param name="LearningRates">The rate of each step, growing geometrically.</param>
/// <param name="Losses">The batch loss evaluated just before the step with that rate (fastai's convention).</param>
/// <param name="SmoothedLosses">Bias-corrected exponential moving average of <paramref name="Losses"/>.</param>
/// <param name="SteepestLearningRate">The rate where the smoothed loss falls fastest against log(rate).</param>
/// <param name="ExplosionLearningRate">The rate at which the loss exploded (and the test stopped), or null.</param>
/// <param name="DecadeBelowExplosion">A tenth of <paramref name="ExplosionLearningRate"/>, or, without an explosion, a tenth of the rate with the lowest smoothed loss.</param>
public sealed record LearningRateFinderResult(
    IReadOnlyList<double> LearningRates,
    IReadOnlyList<double> Losses,
    IReadOnlyList<double> SmoothedLosses,
    double SteepestLearningRate,
    double? ExplosionLearningRate,
    double DecadeBelowExplosion);

/// <summary>
/// The learning-rate range test (Smith, 2017; fastai's <c>lr_find</c>): a short run whose rate grows exponentially from
/// <c>minLearningRate</c> to <c>maxLearningRate</c>, recording the loss per rate, stopping when the loss explodes.
/// </summary>
public static class LearningRateFinder
{
    /// <summary>Runs the test. Neither <paramref name="initialParameters"/> nor any optimizer of yours is modified.</summary>
    /// <param name="data">The training data.</param>
    /// <param name="initialParameters">Where the run starts.</param>
    /// <param name="createOptimizer">Makes a fresh optimizer for the run (its learning rate is overridden each step).</param>
    /// <param name="minLearningRate">The first rate (&gt; 0).</param>
    /// <param name="maxLearningRate">The last rate.</param>
    /// <param name="steps">Steps (≥ 2).</param>
    /// <param name="batching">Batching of the run (default: mini-batches of 32).</param>
    /// <param name="shuffleSeed">Shuffle seed, or null for the data's order.</param>
    /// <param name="smoothing">β of the moving average (0: none).</param>
    /// <param name="explosionFactor">Stop when the smoothed loss exceeds this multiple of its best (fastai: 4); for a loss that may be negative, when it rises above its best by (factor − 1)·|best|.</param>
    public static LearningRateFinderResult Run(
        TrainingData data,
        ReadOnlySpan<double> initialParameters,
        Func<Optimizer> createOptimizer,
        double minLearningRate = 1e-7,
        double maxLearningRate = 10,
        int steps = 100,
        Batching? batching = null,
        int? shuffleSeed = 0,
        double smoothing = 0.98,
        double explosionFactor = 4)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(createOptimizer);
        Guard.Positive(minLearningRate, nameof(minLearningRate));
        if (!(maxLearningRate > minLearningRate) || double.IsInfinity(maxLearningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(maxLearningRate), maxLearningRate, "maxLearningRate must be finite and above minLearningRate.");
        }

        Guard.AtLeast(steps, 2, nameof(steps));
        Guard.InRange(smoothing, 0, 1, false, nameof(smoothing));
        if (!(explosionFactor > 1))
        {
            throw new ArgumentOutOfRangeException(nameof(explosionFactor), explosionFactor, "explosionFactor must be > 1.");
        }

        if (initialParameters.Length != data.Dimension)
        {
            throw new ArgumentException($"The data has {data.Dimension} parameters but initialParameters has length {initialParameters.Length}.", nameof(initialParameters));
        }

        for (int i = 0; i < initialParameters.Length; i++)
        {
            if (!double.IsFinite(initialParameters[i]))
            {
                throw new ArgumentException($"initialParameters[{i}] is {initialParameters[i]}: the starting point must be finite.", nameof(initialParameters));
            }
        }

        batching ??= Batching.MiniBatch(32);
        int n = data.Count;
        int batchSize = Math.Min(batching.Size ?? n, n);
        var optimizer = createOptimizer() ?? throw new InvalidOperationException("createOptimizer returned null; it must return a new optimizer.");
        var p = initialParameters.ToArray();
        var gradient = new double[data.Dimension];
        var order = Enumerable.Range(0, n).ToArray();
        var random = shuffleSeed is int seed ? new Random(seed) : null;
        var evaluator = new BatchEvaluator(data, batchSize, 1);
        // The ratio of the ends overflows for a range wider than 10^308 (1e-300 to 1e10, or a subnormal first rate):
        // then the rates are spaced in logarithms, which gives the same geometric sequence without forming the ratio.
        double ratio = maxLearningRate / minLearningRate;
        double logMin = Math.Log(minLearningRate), logMax = Math.Log(maxLearningRate);
        var rates = new List<double>();
        var losses = new List<double>();
        var smoothed = new List<double>();
        double average = 0, best = double.PositiveInfinity;
        double? explosion = null;
        int position = n;
        for (int i = 0; i < steps; i++)
        {
            if (position + batchSize > n)
            {
                random?.Shuffle(order);
                position = 0;
            }

            double fraction = (double)i / (steps - 1);
            double lr = double.IsFinite(ratio)
                ? minLearningRate * Math.Pow(ratio, fraction)
                : i == 0 ? minLearningRate : i == steps - 1 ? maxLearningRate : Math.Exp(logMin + fraction * (logMax - logMin));
            double loss = evaluator.Evaluate(p, order, position, batchSize, gradient);
            position += batchSize;
            if (!double.IsFinite(loss) || !Trainer.AllFinite(gradient))
            {
                if (i == 0)
                {
                    // Nothing has been measured: every suggestion would be made up.
                    throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                        $"The loss or its gradient is not finite at the starting parameters (loss {loss}), before any step: the finder has nothing to measure. Check the starting parameters and the data."));
                }

                explosion = lr;
                break;
            }

            average = smoothing * average + (1 - smoothing) * loss;
            double value = average / (1 - Math.Pow(smoothing, i + 1));
            rates.Add(lr);
            losses.Add(loss);
            smoothed.Add(value);
            // factor·best for a positive best (fastai's rule); for a negative one, that is below best and stopped the test
            // at its second rate (red-team O): a rise above best of (factor − 1)·|best|, the same for a positive best.
            if (i > 0 && value > best + (explosionFactor - 1) * Math.Abs(best))
            {
                explosion = lr;
                break;
            }

            best = Math.Min(best, value);
            optimizer.LearningRate = lr;
            optimizer.Step(p, gradient);
            if (!Trainer.AllFinite(p))
            {
                explosion = lr;
                break;
            }
        }

        // Steepest descent of the smoothed loss against log(rate), by central differences (one-sided at the ends),
        // leaving out the exploded point, and, as fastai's finder does, the first 10 points (where the smoothed loss
        // moves with the mini-batches while the rate is still too small to matter) and the last 5 (the climb to the
        // explosion), when there are enough points to leave them out.
        int usable = explosion is null ? smoothed.Count : Math.Max(smoothed.Count - 1, 1);
        int skipStart = usable >= 30 ? 10 : 0;
        int skipEnd = usable >= 30 ? 5 : 0;
        int steepest = skipStart;
        double steepestSlope = double.PositiveInfinity;
        for (int k = skipStart; k < usable - skipEnd && usable > 1; k++)
        {
            int lo = Math.Max(k - 1, 0), hi = Math.Min(k + 1, usable - 1);
            double slope = (smoothed[hi] - smoothed[lo]) / (Math.Log(rates[hi]) - Math.Log(rates[lo]));
            if (slope < steepestSlope)
            {
                steepestSlope = slope;
                steepest = k;
            }
        }

        int lowest = 0;
        for (int k = 1; k < usable; k++)
        {
            if (smoothed[k] < smoothed[lowest])
            {
                lowest = k;
            }
        }

        double decadeBelow = (explosion ?? rates[lowest]) / 10;
        return new LearningRateFinderResult(rates, losses, smoothed, rates.Count > 0 ? rates[steepest] : minLearningRate, explosion, decadeBelow);
    }
}
