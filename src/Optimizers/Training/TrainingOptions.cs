namespace SymbolicGrad.Optimizers;

/// <summary>Why a run stopped.</summary>
public enum StopReason
{
    /// <summary>The step limit was reached.</summary>
    MaxSteps,

    /// <summary>The epoch limit was reached.</summary>
    MaxEpochs,

    /// <summary>The evaluation budget was used up (L-BFGS's max_eval).</summary>
    MaxEvaluations,

    /// <summary>The gradient norm fell to the tolerance.</summary>
    GradientTolerance,

    /// <summary>The loss or the parameters stopped changing by more than the tolerance (L-BFGS's tolerance_change).</summary>
    ChangeTolerance,

    /// <summary>The training loss did not improve by the minimum change for the patience.</summary>
    Plateau,

    /// <summary>The validation loss did not improve for the patience; the best parameters were restored.</summary>
    EarlyStopped,

    /// <summary>A loss or gradient was not finite, or the loss grew past the divergence factor; the last finite parameters were kept.</summary>
    Diverged,

    /// <summary>The cancellation token was signalled.</summary>
    Cancelled,

    /// <summary>
    /// The line search found no step that lowers the loss although the gradient is not small: the gradient may not match
    /// the loss, or the step it started from was far too long. The parameters are the last ones that lowered the loss.
    /// Not convergence.
    /// </summary>
    LineSearchFailed,
}

/// <summary>What the step argument of <see cref="TrainingOptions.Schedule"/> counts.</summary>
public enum ScheduleUnit
{
    /// <summary>Updates: the schedule is evaluated at the optimizer's step count before every update.</summary>
    Step,

    /// <summary>Epochs: the schedule is evaluated at the number of completed epochs (PyTorch's per-epoch <c>scheduler.step()</c>).</summary>
    Epoch,
}

/// <summary>Stop when the training loss has not improved by more than <paramref name="MinDelta"/> for <paramref name="Patience"/> epochs.</summary>
/// <param name="Patience">Epochs without improvement that end the run (≥ 1).</param>
/// <param name="MinDelta">The improvement that counts (≥ 0).</param>
public sealed record PlateauStopping(int Patience, double MinDelta = 0);

/// <summary>
/// Evaluate <paramref name="ValidationLoss"/> after every epoch, stop when it has not improved by more than
/// <paramref name="MinDelta"/> for <paramref name="Patience"/> epochs, and return the parameters with the best validation loss.
/// </summary>
/// <param name="ValidationLoss">The validation objective (evaluated once per epoch).</param>
/// <param name="Patience">Epochs without improvement that end the run (≥ 1).</param>
/// <param name="MinDelta">The improvement that counts (≥ 0).</param>
public sealed record EarlyStopping(ScalarFunction ValidationLoss, int Patience, double MinDelta = 0);

/// <summary>A snapshot passed to <see cref="TrainingOptions.Progress"/>.</summary>
/// <param name="Step">Updates made so far.</param>
/// <param name="Epoch">The current epoch (1-based).</param>
/// <param name="Loss">The loss of the last batch.</param>
/// <param name="LearningRate">The learning rate of the last update.</param>
/// <param name="Elapsed">Wall time since the start.</param>
public readonly record struct TrainingProgress(long Step, int Epoch, double Loss, double LearningRate, TimeSpan Elapsed);

/// <summary>Everything about a training run except the data, the start and the optimizer.</summary>
public sealed record TrainingOptions
{
    /// <summary>How examples are grouped into steps (default: the full batch).</summary>
    public Batching Batching { get; init; } = Batching.FullBatch;

    /// <summary>Seed of the per-epoch shuffle of the examples, or null to visit them in order. Default 0.</summary>
    public int? ShuffleSeed { get; init; } = 0;

    /// <summary>The epoch limit (passes over the data). Default 100.</summary>
    public int MaxEpochs { get; init; } = 100;

    /// <summary>The step limit, or null for none.</summary>
    public long? MaxSteps { get; init; }

    /// <summary>
    /// Sets the learning rate (and momentum) for every update; null keeps the optimizer's own. The loop applies it before
    /// each step, so the first update uses the schedule's rate at 0, as PyTorch's order (scheduler created, then
    /// <c>scheduler.step()</c> after each <c>optimizer.step()</c>) does.
    /// </summary>
    public Schedule? Schedule { get; init; }

    /// <summary>Whether <see cref="Schedule"/> counts updates (default) or completed epochs.</summary>
    public ScheduleUnit ScheduleUnit { get; init; } = ScheduleUnit.Step;

    /// <summary>
    /// Reduces the learning rate when the epoch loss (the validation loss, if early stopping is set) stalls. Cannot be
    /// combined with <see cref="Schedule"/>. Parameter groups with a rate of their own are scaled by the same ratio.
    /// </summary>
    public ReduceLearningRateOnPlateau? ReduceOnPlateau { get; init; }

    /// <summary>Clips every batch gradient before the update; null for none.</summary>
    public GradientClip? Clip { get; init; }

    /// <summary>Stop when the 2-norm of the batch gradient (before clipping) is at most this. Default 0 (only an exactly zero gradient).</summary>
    public double GradientTolerance { get; init; }

    /// <summary>Stop when the epoch loss stalls; null for never.</summary>
    public PlateauStopping? Plateau { get; init; }

    /// <summary>Early stopping on a validation loss; null for none.</summary>
    public EarlyStopping? EarlyStopping { get; init; }

    /// <summary>
    /// The run is reported as <see cref="StopReason.Diverged"/> when the tracked loss (the full-batch loss per step, or
    /// the mean batch loss of an epoch) exceeds best + (factor − 1)·|best| and is also above the first tracked loss (so
    /// that tiny losses bouncing near a minimum do not count). Default 1e4; +∞ disables the growth test
    /// (non-finite losses and gradients always stop the run).
    /// </summary>
    public double DivergenceFactor { get; init; } = 1e4;

    /// <summary>
    /// Threads used to evaluate a batch (default 1). The batch is cut into a fixed number of shards that depends only
    /// on the batch size, each summed in order into its own buffer, and the shard sums are added in a fixed pairwise tree: the
    /// result is bit for bit the same for every thread count.
    /// </summary>
    public int MaxDegreeOfParallelism { get; init; } = 1;

    /// <summary>Call <see cref="Progress"/> every this many steps (and at the end). Default 0: never.</summary>
    public int ProgressInterval { get; init; }

    /// <summary>The progress callback (for progress bars and logs).</summary>
    public Action<TrainingProgress>? Progress { get; init; }
}

/// <summary>The outcome of a training or minimization run.</summary>
public sealed record OptimizationResult
{
    /// <summary>The final parameters (see <see cref="StopReason"/> for which ones: best-validation after early stopping, last finite after divergence).</summary>
    public required double[] Parameters { get; init; }

    /// <summary>The objective (mean loss over all examples) at <see cref="Parameters"/>.</summary>
    public required double Loss { get; init; }

    /// <summary>The loss before each update: the batch loss for the training loop, f(x_k) for L-BFGS and Newton.</summary>
    public required IReadOnlyList<double> LossHistory { get; init; }

    /// <summary>The mean batch loss of each completed epoch (empty for L-BFGS and Newton).</summary>
    public IReadOnlyList<double> EpochLosses { get; init; } = [];

    /// <summary>Why the run stopped.</summary>
    public required StopReason StopReason { get; init; }

    /// <summary>Updates made.</summary>
    public required long Steps { get; init; }

    /// <summary>Epochs started (the training loop only).</summary>
    public int Epochs { get; init; }

    /// <summary>Value-and-gradient evaluations (per example, for data).</summary>
    public required long GradientEvaluations { get; init; }

    /// <summary>Value-only evaluations (validation losses).</summary>
    public long ValueEvaluations { get; init; }

    /// <summary>Wall-clock duration.</summary>
    public required TimeSpan WallTime { get; init; }

    /// <summary>True when the run ended on a tolerance (gradient or change), not on a limit, a plateau or divergence.</summary>
    public bool Converged => StopReason is StopReason.GradientTolerance or StopReason.ChangeTolerance;

    /// <inheritdoc />
    public override string ToString() =>
        FormattableString.Invariant(
            $"{StopReason} after {Steps} steps, loss {Loss:G6}, {GradientEvaluations} gradient evaluations, {WallTime.TotalMilliseconds:F0} ms");
}
