using System.Globalization;

namespace SymbolicGrad.Optimizers;

/// <summary>
/// A <see cref="Schedule"/> bound to an optimizer, used the way PyTorch's <c>lr_scheduler</c> objects are: it sets the
/// rate of epoch 0 when it is created, and <see cref="Step()"/> is called <b>after</b> <see cref="Optimizer.Step"/>.
/// </summary>
/// <remarks>
/// <code>
/// var adam = new Adam(1e-3);
/// var scheduler = new LearningRateScheduler(adam, Schedule.CosineAnnealing(1e-3, tMax: 100));  // rate of epoch 0 set now
/// for (int epoch = 0; epoch &lt; 100; epoch++)
/// {
///     foreach (var batch in batches) { f(batch).ValueAndGradient(x, g); adam.Step(x, g); }
///     scheduler.Step();                                                                       // after the optimizer
/// }
/// </code>
/// <para>
/// The order cannot silently go wrong: calling <see cref="Step()"/> before the optimizer's first step, or twice with no
/// optimizer step in between, throws <see cref="InvalidOperationException"/> (PyTorch only warns, and then skips the
/// schedule's first rate). Step it once per update for per-step schedules, once per epoch for per-epoch ones;
/// <see cref="Step(double)"/> takes fractional epochs (<c>epoch + i / batches</c>) for closed-form schedules such as
/// warm restarts. Parameter groups with their own learning rate are scheduled from that rate (PyTorch's
/// <c>initial_lr</c>), see <see cref="Schedule"/>.
/// </para>
/// <para>
/// The scheduler's position is its <see cref="Epoch"/>, PyTorch's <c>last_epoch</c>; save it with
/// <see cref="SaveState"/> next to the optimizer's state.
/// </para>
/// </remarks>
public sealed class LearningRateScheduler
{
    private const string StateName = "LearningRateScheduler";
    private long _optimizerStepsAtLastStep;

    /// <summary>Binds <paramref name="schedule"/> to <paramref name="optimizer"/> and sets the rates of epoch 0 (PyTorch's constructor does the same).</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">The schedule cycles momentum but the optimizer has none.</exception>
    public LearningRateScheduler(Optimizer optimizer, Schedule schedule)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(schedule);
        Optimizer = optimizer;
        Schedule = schedule;
        schedule.Apply(optimizer, 0);
        _optimizerStepsAtLastStep = optimizer.StepCount;
    }

    /// <summary>The optimizer whose rates this scheduler sets.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The schedule.</summary>
    public Schedule Schedule { get; }

    /// <summary>PyTorch's <c>last_epoch</c>: the number of <see cref="Step()"/> calls (or the last fractional epoch given).</summary>
    public double Epoch { get; private set; }

    /// <summary>The optimizer's rate (the rate of groups without their own) after the last step.</summary>
    public double LearningRate => Optimizer.LearningRate;

    /// <summary>
    /// Advances one epoch (or one step) and sets the optimizer's rates for the next update. Call it after
    /// <see cref="Optimizer.Step"/>, as in PyTorch.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// The optimizer has not stepped since the scheduler was created or last stepped: the call is before
    /// <see cref="Optimizer.Step"/>, where it would skip a rate of the schedule.
    /// </exception>
    public void Step()
    {
        CheckOrder();
        double next = Epoch + 1;
        Set(next);
    }

    /// <summary>
    /// PyTorch's <c>step(epoch)</c>: jumps to <paramref name="epoch"/>, which may be fractional for schedules with
    /// <see cref="Schedule.SupportsFractionalSteps"/> (the warm-restart recipe <c>scheduler.Step(epoch + i / batches)</c>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epoch"/> is negative or not finite.</exception>
    /// <exception cref="NotSupportedException"><paramref name="epoch"/> is fractional and the schedule is defined at whole steps only.</exception>
    /// <exception cref="InvalidOperationException">The optimizer has not stepped since the scheduler was created or last stepped.</exception>
    public void Step(double epoch)
    {
        if (!(epoch >= 0) || double.IsInfinity(epoch))
        {
            throw new ArgumentOutOfRangeException(nameof(epoch), epoch, "epoch must be a finite number ≥ 0.");
        }

        if (epoch != Math.Floor(epoch) && !Schedule.SupportsFractionalSteps)
        {
            throw new NotSupportedException(
                string.Create(CultureInfo.InvariantCulture,
                    $"The schedule '{Schedule}' is defined at whole steps only and cannot be set to epoch {epoch:R}."));
        }

        CheckOrder();
        Set(epoch);
    }

    /// <summary>
    /// Captures the scheduler's position in the optimizer state format: name <c>LearningRateScheduler</c>, scalars
    /// <c>epoch</c> and <c>optimizer_step_count</c> (the optimizer's step count at the last <see cref="Step()"/>).
    /// The schedule itself is code and is not saved: restore into a scheduler built with the same schedule.
    /// </summary>
    public OptimizerState SaveState()
    {
        var builder = new OptimizerState.Builder(StateName, 0, 0);
        double epoch = Epoch, steps = _optimizerStepsAtLastStep;
        builder.Scalar("epoch", ref epoch);
        builder.Scalar("optimizer_step_count", ref steps);
        return builder.Build();
    }

    /// <summary>
    /// Puts back a position saved by <see cref="SaveState"/> and sets the optimizer's rates for it (restore the optimizer
    /// first: its own state carries the rates too).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="state"/> is null.</exception>
    /// <exception cref="ArgumentException">The state is not a scheduler's, or its values are out of range. Nothing changes when it throws.</exception>
    public void RestoreState(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.OptimizerName != StateName)
        {
            throw new ArgumentException(
                $"The state was saved by {state.OptimizerName} and cannot be restored into a {StateName}.", nameof(state));
        }

        var check = new OptimizerState.Reader(state, apply: true);
        double epoch = 0, steps = 0;
        check.Scalar("epoch", ref epoch);
        check.Scalar("optimizer_step_count", ref steps);
        check.ThrowIfUnread();
        if (!(epoch >= 0) || double.IsInfinity(epoch) || !(steps >= 0) || steps != Math.Floor(steps) || steps > long.MaxValue)
        {
            throw new ArgumentException(
                $"This {StateName} state cannot be restored: its epoch or step count is out of range.", nameof(state));
        }

        Set(epoch);
        _optimizerStepsAtLastStep = (long)steps;
    }

    private void CheckOrder()
    {
        if (Optimizer.StepCount == 0)
        {
            throw new InvalidOperationException(
                "LearningRateScheduler.Step() was called before the optimizer's first Step(). Call optimizer.Step(...) first and " +
                "scheduler.Step() after it, as in PyTorch: the scheduler already set the rate for the first update when it " +
                "was created, and stepping it first would skip that rate.");
        }

        if (Optimizer.StepCount == _optimizerStepsAtLastStep)
        {
            throw new InvalidOperationException(
                $"LearningRateScheduler.Step() was called again with no optimizer step since the last one (the optimizer is " +
                $"still at step {Optimizer.StepCount}). Call it once after each optimizer step (per-step schedules) or once " +
                "after each epoch (per-epoch schedules).");
        }
    }

    private void Set(double epoch)
    {
        if (epoch == Math.Floor(epoch) && epoch <= long.MaxValue)
        {
            Schedule.Apply(Optimizer, (long)epoch);
        }
        else
        {
            Schedule.ApplyAt(Optimizer, epoch);
        }

        Epoch = epoch;
        _optimizerStepsAtLastStep = Optimizer.StepCount;
    }
}
