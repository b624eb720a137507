namespace SymbolicGrad.Optimizers;

/// <summary>Whether a smaller or a larger metric is better.</summary>
public enum MetricGoal
{
    /// <summary>Smaller is better (a loss).</summary>
    Minimize,

    /// <summary>Larger is better (an accuracy).</summary>
    Maximize,
}

/// <summary>How <see cref="ReduceLearningRateOnPlateau"/> decides that a metric improved.</summary>
public enum ThresholdMode
{
    /// <summary>Better than best·(1 ∓ threshold).</summary>
    Relative,

    /// <summary>Better than best ∓ threshold.</summary>
    Absolute,
}

/// <summary>
/// PyTorch's <c>ReduceLROnPlateau</c>: multiplies the learning rate by <c>factor</c> when a metric has not improved
/// for more than <c>patience</c> consecutive reports. Unlike <see cref="Schedule"/> it depends on the metrics, so it is an object.
/// </summary>
/// <remarks>
/// Each <see cref="Report"/>: if the metric is better than the best (see <see cref="ThresholdMode"/>) the best is
/// updated and the bad count reset, otherwise the bad count grows; during cooldown the bad count is held at 0; when
/// the bad count exceeds <c>patience</c> the rate becomes max(lr·factor, minLr) (only if that lowers it by more than
/// <c>epsilon</c>) and cooldown starts. So the first reduction happens at the (patience + 1)-th bad report.
/// </remarks>
public sealed class ReduceLearningRateOnPlateau
{
    private readonly double _factor;
    private readonly int _patience;
    private readonly double _threshold;
    private readonly int _cooldown;
    private readonly double _minLearningRate;
    private readonly double _epsilon;
    private readonly MetricGoal _goal;
    private readonly ThresholdMode _thresholdMode;
    private int _cooldownCounter;

    /// <summary>Creates the reducer (PyTorch defaults).</summary>
    /// <param name="initialLearningRate">The rate to start from.</param>
    /// <param name="goal">Whether the metric is minimized (PyTorch's mode 'min') or maximized.</param>
    /// <param name="factor">Multiplier in [0, 1).</param>
    /// <param name="patience">Bad reports tolerated before a reduction.</param>
    /// <param name="threshold">Minimum improvement that counts.</param>
    /// <param name="thresholdMode">Relative or absolute threshold.</param>
    /// <param name="cooldown">Reports to wait after a reduction before counting bad reports again.</param>
    /// <param name="minLearningRate">Lower bound of the rate.</param>
    /// <param name="epsilon">Reductions smaller than this are skipped.</param>
    public ReduceLearningRateOnPlateau(
        double initialLearningRate,
        MetricGoal goal = MetricGoal.Minimize,
        double factor = 0.1,
        int patience = 10,
        double threshold = 1e-4,
        ThresholdMode thresholdMode = ThresholdMode.Relative,
        int cooldown = 0,
        double minLearningRate = 0,
        double epsilon = 1e-8)
    {
        LearningRate = Guard.NonNegative(initialLearningRate, nameof(initialLearningRate));
        _factor = Guard.InRange(factor, 0, 1, false, nameof(factor));
        _patience = Guard.AtLeast(patience, 0, nameof(patience));
        _threshold = Guard.NonNegative(threshold, nameof(threshold));
        _cooldown = Guard.AtLeast(cooldown, 0, nameof(cooldown));
        _minLearningRate = Guard.NonNegative(minLearningRate, nameof(minLearningRate));
        _epsilon = Guard.NonNegative(epsilon, nameof(epsilon));
        _goal = goal;
        _thresholdMode = thresholdMode;
        Best = goal == MetricGoal.Minimize ? double.PositiveInfinity : double.NegativeInfinity;
    }

    /// <summary>The current learning rate.</summary>
    public double LearningRate { get; private set; }

    /// <summary>The best metric reported so far.</summary>
    public double Best { get; private set; }

    /// <summary>Consecutive reports without improvement.</summary>
    public int BadReports { get; private set; }

    /// <summary>Reports the metric of an epoch and returns the learning rate to use next.</summary>
    public double Report(double metric)
    {
        if (IsBetter(metric))
        {
            Best = metric;
            BadReports = 0;
        }
        else
        {
            BadReports++;
        }

        if (_cooldownCounter > 0)
        {
            _cooldownCounter--;
            BadReports = 0;
        }

        if (BadReports > _patience)
        {
            double reduced = Math.Max(LearningRate * _factor, _minLearningRate);
            if (LearningRate - reduced > _epsilon)
            {
                LearningRate = reduced;
            }

            _cooldownCounter = _cooldown;
            BadReports = 0;
        }

        return LearningRate;
    }

    private bool IsBetter(double metric) => (_goal, _thresholdMode) switch
    {
        (MetricGoal.Minimize, ThresholdMode.Relative) => metric < Best * (1 - _threshold),
        (MetricGoal.Minimize, ThresholdMode.Absolute) => metric < Best - _threshold,
        (MetricGoal.Maximize, ThresholdMode.Relative) => metric > Best * (1 + _threshold),
        _ => metric > Best + _threshold,
    };
}
