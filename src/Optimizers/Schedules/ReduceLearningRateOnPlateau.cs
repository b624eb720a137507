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
    private long _reports;

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
        InitialLearningRate = initialLearningRate;
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

    /// <summary>The rate the reducer was created with.</summary>
    public double InitialLearningRate { get; }

    /// <summary>The current learning rate.</summary>
    public double LearningRate { get; private set; }

    /// <summary>The best metric reported so far.</summary>
    public double Best { get; private set; }

    /// <summary>Consecutive reports without improvement.</summary>
    public int BadReports { get; private set; }

    /// <summary>Reports the metric of an epoch and returns the learning rate to use next.</summary>
    public double Report(double metric)
    {
        _reports++;
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

    /// <summary>
    /// Captures the reducer in the optimizer state format (see <see cref="OptimizerState"/>), named
    /// <c>ReduceLearningRateOnPlateau</c> with no dimension and no step count: its settings as settings, and the
    /// learning rate, best metric, bad-report count, cooldown counter and number of reports as scalars.
    /// </summary>
    /// <returns>A self-contained copy; later reports do not change it.</returns>
    public OptimizerState SaveState()
    {
        var builder = new OptimizerState.Builder(StateName, 0, 0);
        Visit(builder);
        return builder.Build();
    }

    /// <summary>
    /// Replaces this reducer's state with <paramref name="state"/>, so that the next <see cref="Report"/> returns
    /// what the saved reducer's next report would have returned.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="state"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// The state was not saved by a <see cref="ReduceLearningRateOnPlateau"/>, was saved with other settings (the
    /// message names the setting and both values), or lacks or adds entries. Nothing changes when it throws.
    /// </exception>
    public void RestoreState(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.OptimizerName != StateName)
        {
            throw new ArgumentException(
                $"The state was saved by {state.OptimizerName} and cannot be restored into {StateName}.", nameof(state));
        }

        var check = new OptimizerState.Reader(state, apply: false);
        var (lr, best, bad, cooldown, reports) = Visit(check);
        check.ThrowIfUnread();
        if (!(lr >= 0) || double.IsNaN(best) || !IsCount(bad, int.MaxValue) || !IsCount(cooldown, int.MaxValue) || !IsCount(reports, long.MaxValue))
        {
            throw new ArgumentException(
                "This ReduceLearningRateOnPlateau state cannot be restored: a learning rate, count or best metric is out of range.", nameof(state));
        }

        Visit(new OptimizerState.Reader(state, apply: true));
    }

    /// <summary>The number of metrics reported so far.</summary>
    public long Reports => _reports;

    private static bool IsCount(double value, double max) => value >= 0 && value <= max && value == Math.Floor(value);

    private const string StateName = "ReduceLearningRateOnPlateau";

    /// <summary>Walks the state; the returned values are what a reader left in the scalars.</summary>
    private (double LearningRate, double Best, double BadReports, double Cooldown, double Reports) Visit(IStateVisitor visitor)
    {
        visitor.Setting("factor", _factor);
        visitor.Setting("patience", _patience);
        visitor.Setting("threshold", _threshold);
        visitor.Setting("threshold_mode", (int)_thresholdMode);
        visitor.Setting("cooldown", _cooldown);
        visitor.Setting("min_learning_rate", _minLearningRate);
        visitor.Setting("epsilon", _epsilon);
        visitor.Setting("goal", (int)_goal);
        double lr = LearningRate;
        double best = Best;
        double bad = BadReports;
        double cooldown = _cooldownCounter;
        double reports = _reports;
        visitor.Scalar("learning_rate", ref lr);
        visitor.Scalar("best", ref best);
        visitor.Scalar("bad_reports", ref bad);
        visitor.Scalar("cooldown_counter", ref cooldown);
        visitor.Scalar("reports", ref reports);
        if (visitor is OptimizerState.Reader { Applies: true })
        {
            LearningRate = lr;
            Best = best;
            BadReports = (int)bad;
            _cooldownCounter = (int)cooldown;
            _reports = (long)reports;
        }

        return (lr, best, bad, cooldown, reports);
    }

    private bool IsBetter(double metric) => (_goal, _thresholdMode) switch
    {
        (MetricGoal.Minimize, ThresholdMode.Relative) => metric < Best * (1 - _threshold),
        (MetricGoal.Minimize, ThresholdMode.Absolute) => metric < Best - _threshold,
        (MetricGoal.Maximize, ThresholdMode.Relative) => metric > Best * (1 + _threshold),
        _ => metric > Best + _threshold,
    };
}
