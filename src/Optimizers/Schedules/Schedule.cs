using System.Globalization;

namespace SymbolicGrad.Optimizers;

/// <summary>How a one-cycle phase moves from its start value to its end value.</summary>
public enum AnnealStrategy
{
    /// <summary>end + (start − end)/2·(1 + cos(π·pct)).</summary>
    Cosine,

    /// <summary>start + (end − start)·pct.</summary>
    Linear,
}

/// <summary>The amplitude policy of a cyclic schedule (PyTorch's <c>CyclicLR</c> modes).</summary>
public enum CyclicMode
{
    /// <summary>A triangle between base and max, the same every cycle.</summary>
    Triangular,

    /// <summary>A triangle whose amplitude halves every cycle: scale 1/2^(cycle − 1).</summary>
    Triangular2,

    /// <summary>The amplitude is scaled by γ^s at step s.</summary>
    ExpRange,
}

/// <summary>What a custom cyclic scale function is evaluated on (PyTorch's <c>scale_mode</c>).</summary>
public enum CyclicScaleMode
{
    /// <summary>The cycle number, 1, 2, ...</summary>
    Cycle,

    /// <summary>The step (training iterations since the start).</summary>
    Iterations,
}

/// <summary>
/// A learning-rate schedule: a pure function of the step, in the closed forms of PyTorch's
/// <c>torch.optim.lr_scheduler</c> (optax's view of schedules, PyTorch's formulas).
/// </summary>
/// <remarks>
/// <para>
/// <b>The call order.</b> The step argument is PyTorch's <c>last_epoch</c>: the number of updates (or epochs) already
/// made, so the first update uses <c>LearningRate(0)</c>. PyTorch sets that rate when the scheduler is created and calls
/// <c>scheduler.step()</c> <i>after</i> <c>optimizer.step()</c>. There are three ways to get this right here:
/// </para>
/// <list type="bullet">
/// <item><see cref="Trainer"/> with <see cref="TrainingOptions.Schedule"/> does it for you.</item>
/// <item><see cref="LearningRateScheduler"/> is PyTorch's object: it sets the first rate when it is created, its
/// <see cref="LearningRateScheduler.Step()"/> goes after <see cref="Optimizer.Step"/>, and calling it first throws.</item>
/// <item><c>schedule.Apply(optimizer)</c> <b>before</b> each <see cref="Optimizer.Step"/> sets the rate for the
/// optimizer's <see cref="Optimizer.StepCount"/>. Called after the step instead, the first update runs at the
/// optimizer's own rate rather than <c>LearningRate(0)</c>.</item>
/// </list>
/// <para>
/// <b>Base rates and parameter groups.</b> Most schedules scale a base rate (the first argument of the factory):
/// <see cref="LearningRate(long, double)"/> evaluates the same schedule for another base. <see cref="Apply(Optimizer)"/>
/// sets <see cref="Optimizer.LearningRate"/> from the schedule's own base, and every parameter group that was given a
/// learning rate of its own gets the schedule evaluated with that rate as base, as PyTorch scales each group's
/// <c>initial_lr</c>. Schedules with absolute rates (one-cycle, cyclic, <see cref="FromFunction"/>) give every group
/// the same rate, as PyTorch does with a scalar <c>max_lr</c>.
/// </para>
/// <para>
/// Because a schedule is a function and not an object that patches the optimizer, it needs no saved
/// state: restoring an optimizer restores its <see cref="Optimizer.StepCount"/>, and with it the schedule's position.
/// The closed forms can differ from PyTorch's default recursive (chainable) updates in the last bits of rounding.
/// </para>
/// </remarks>
public abstract class Schedule
{
    /// <summary>The learning rate for the update that follows <paramref name="step"/> completed updates.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is negative (or beyond a one-cycle schedule's end).</exception>
    public abstract double LearningRate(long step);

    /// <summary>
    /// The same schedule with <paramref name="baseLearningRate"/> in place of its own base rate (PyTorch evaluates a
    /// scheduler per parameter group from the group's <c>initial_lr</c>). Schedules with absolute rates ignore the base;
    /// that is also what this default implementation does.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is negative (or beyond a one-cycle schedule's end).</exception>
    public virtual double LearningRate(long step, double baseLearningRate) => LearningRate(step);

    /// <summary>The base rate the schedule scales, or null when its rates are absolute (one-cycle, cyclic, custom functions).</summary>
    public virtual double? BaseLearningRate => null;

    /// <summary>The momentum (or β1) for that update, or null when the schedule does not cycle momentum.</summary>
    public virtual double? Momentum(long step) => null;

    /// <summary>
    /// Whether the schedule is defined between steps (PyTorch's <c>scheduler.step(epoch)</c> with a float epoch, as in
    /// <c>step(epoch + i / iters)</c> for warm restarts): true for the closed-form schedules (step, multi-step, constant
    /// factor, linear, exponential, polynomial, cosine, cosine with warm restarts).
    /// </summary>
    public virtual bool SupportsFractionalSteps => false;

    /// <summary>The learning rate at a fractional <paramref name="step"/> (see <see cref="SupportsFractionalSteps"/>).</summary>
    /// <exception cref="NotSupportedException">The schedule is only defined at whole steps.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is negative or not finite.</exception>
    public double LearningRateAt(double step) => LearningRateAt(step, BaseLearningRate ?? double.NaN);

    /// <summary>The learning rate at a fractional <paramref name="step"/> for another base rate.</summary>
    /// <exception cref="NotSupportedException">The schedule is only defined at whole steps.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is negative or not finite.</exception>
    public virtual double LearningRateAt(double step, double baseLearningRate) =>
        throw new NotSupportedException($"The schedule '{this}' is defined at whole steps only; fractional steps work with closed-form schedules such as CosineWarmRestarts.");

    /// <summary>
    /// Sets the learning rate (and momentum or β1, if the schedule cycles it) of <paramref name="optimizer"/> for its next
    /// step, the one after <see cref="Optimizer.StepCount"/> updates. Call it <b>before</b> each <see cref="Optimizer.Step"/>
    /// (or use <see cref="LearningRateScheduler"/>, which follows PyTorch's order, or <see cref="Trainer"/>, which does it for you).
    /// </summary>
    /// <remarks>Groups with a learning rate of their own are scheduled from that rate (see the remarks on <see cref="Schedule"/>).</remarks>
    /// <exception cref="InvalidOperationException">The schedule cycles momentum but the optimizer has none (<see cref="ICycledMomentum"/>).</exception>
    public void Apply(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Apply(optimizer, optimizer.StepCount);
    }

    /// <summary>
    /// A rate the schedule computed that no optimizer accepts (NaN, ∞, negative: a Lambda factor gone wrong), named with
    /// the schedule and the step, rather than the optimizer's "LearningRate must be ..." from the middle of a run (red-team L).
    /// </summary>
    private double CheckRate(double rate, long step) => double.IsFinite(rate) && rate >= 0
        ? rate
        : throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
            $"The schedule '{this}' gave the learning rate {rate} for the update after step {step}; a learning rate must be a finite number ≥ 0. Check the schedule's function or factors at that step."));

    /// <summary>Sets the rates of <paramref name="optimizer"/> for the update that follows <paramref name="step"/> completed steps (or epochs).</summary>
    /// <exception cref="InvalidOperationException">The schedule cycles momentum but the optimizer has none (<see cref="ICycledMomentum"/>).</exception>
    public void Apply(Optimizer optimizer, long step)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var cycled = CheckMomentum(optimizer, Momentum(step));
        double rate = CheckRate(LearningRate(step), step);
        var groups = optimizer.Groups;
        for (int i = 0; i < groups.Count; i++)
        {
            // Evaluate every rate before changing anything, so that a throwing schedule leaves the optimizer as it was.
            if (groups[i].Definition.LearningRate is double initial)
            {
                _ = CheckRate(LearningRate(step, initial), step);
            }
        }

        optimizer.LearningRate = rate;
        for (int i = 0; i < groups.Count; i++)
        {
            var group = groups[i];
            if (group.Definition.LearningRate is double initial)
            {
                group.LearningRate = LearningRate(step, initial);
            }
            else
            {
                group.FollowOptimizerLearningRate();
            }
        }

        if (cycled is not null)
        {
            cycled.CycledMomentum = Momentum(step)!.Value;
        }
    }

    /// <summary>Sets the rates for a fractional step (schedules with <see cref="SupportsFractionalSteps"/>).</summary>
    internal void ApplyAt(Optimizer optimizer, double step)
    {
        double rate = LearningRateAt(step);
        var groups = optimizer.Groups;
        for (int i = 0; i < groups.Count; i++)
        {
            if (groups[i].Definition.LearningRate is double initial)
            {
                _ = LearningRateAt(step, initial);
            }
        }

        optimizer.LearningRate = rate;
        for (int i = 0; i < groups.Count; i++)
        {
            var group = groups[i];
            if (group.Definition.LearningRate is double initial)
            {
                group.LearningRate = LearningRateAt(step, initial);
            }
            else
            {
                group.FollowOptimizerLearningRate();
            }
        }
    }

    /// <summary>Throws unless the optimizer can take the momentum a schedule cycles.</summary>
    internal ICycledMomentum? CheckMomentum(Optimizer optimizer, double? momentum)
    {
        if (momentum is null)
        {
            return null;
        }

        return optimizer as ICycledMomentum ?? throw new InvalidOperationException(
            $"The schedule '{this}' cycles momentum but {optimizer.Name} has no momentum or β1; create it with cycleMomentum: false.");
    }

    /// <summary>This schedule up to <paramref name="milestone"/>, then <paramref name="next"/> started afresh (PyTorch's <c>SequentialLR</c>): step s ≥ milestone uses next(s − milestone).</summary>
    /// <example><c>Schedule.Linear(0.1, startFactor: 0.1, totalIters: 5).Then(Schedule.CosineAnnealing(0.1, tMax: 95), milestone: 5)</c> is warm-up then cosine.</example>
    public Schedule Then(Schedule next, long milestone)
    {
        ArgumentNullException.ThrowIfNull(next);
        Guard.AtLeast(milestone, 0, nameof(milestone));
        return new Sequential(this, next, milestone);
    }

    /// <summary>
    /// PyTorch's <c>SequentialLR(schedulers, milestones)</c>: <c>schedules[0]</c> until <c>milestones[0]</c>, then
    /// <c>schedules[1]</c> started afresh until <c>milestones[1]</c>, and so on.
    /// </summary>
    /// <exception cref="ArgumentException">The counts do not fit (one milestone fewer than schedules) or the milestones do not increase.</exception>
    public static Schedule Sequence(IReadOnlyList<Schedule> schedules, IReadOnlyList<long> milestones)
    {
        ArgumentNullException.ThrowIfNull(schedules);
        ArgumentNullException.ThrowIfNull(milestones);
        if (schedules.Count == 0 || milestones.Count != schedules.Count - 1)
        {
            throw new ArgumentException(
                $"SequentialLR takes one milestone fewer than schedules; got {schedules.Count} schedules and {milestones.Count} milestones.",
                nameof(milestones));
        }

        var result = schedules[0] ?? throw new ArgumentNullException("schedules[0]");
        for (int i = 0; i < milestones.Count; i++)
        {
            if (milestones[i] < 0 || (i > 0 && milestones[i] <= milestones[i - 1]))
            {
                throw new ArgumentException(
                    $"milestones must be ≥ 0 and increasing; milestones[{i}] = {milestones[i]}.", nameof(milestones));
            }

            // Before milestones[i] the schedules so far; from it on, schedules[i + 1] counted from the milestone.
            var next = schedules[i + 1] ?? throw new ArgumentNullException($"schedules[{i + 1}]");
            result = result.Then(next, milestones[i]);
        }

        return result;
    }

    /// <summary>
    /// PyTorch's <c>ChainedScheduler</c>: the schedules applied together, each multiplying the rate by its factor
    /// lrᵢ(s)/baseᵢ, so the rate is base·Πᵢ factorᵢ(s). This is PyTorch's result whenever every member is multiplicative
    /// (step, multi-step, constant factor, linear, exponential, polynomial, lambda, and cosine annealing with η_min = 0
    /// up to T_max); PyTorch's recursive cosine with η_min ≠ 0 depends on what ran before it and is not a product.
    /// </summary>
    /// <example><c>Schedule.Chain(Schedule.ConstantFactor(0.05, factor: 0.1, totalIters: 20), Schedule.Exponential(0.05, gamma: 0.9))</c></example>
    /// <exception cref="ArgumentException">
    /// No schedules, a schedule with absolute rates (one-cycle, cyclic, custom), or schedules with different base rates.
    /// </exception>
    public static Schedule Chain(params Schedule[] schedules)
    {
        ArgumentNullException.ThrowIfNull(schedules);
        if (schedules.Length == 0)
        {
            throw new ArgumentException("Chain needs at least one schedule.", nameof(schedules));
        }

        double? common = null;
        for (int i = 0; i < schedules.Length; i++)
        {
            var s = schedules[i] ?? throw new ArgumentNullException($"schedules[{i}]");
            if (s.BaseLearningRate is not double b || !(b > 0))
            {
                throw new ArgumentException(
                    $"schedules[{i}] ('{s}') has no positive base rate to scale; only schedules that multiply a base rate can be chained.",
                    nameof(schedules));
            }

            if (common is double c && BitConverter.DoubleToInt64Bits(c) != BitConverter.DoubleToInt64Bits(b))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture,
                        $"Chained schedules scale one base rate, but schedules[{i}] has base {b:R} and schedules[0] has {c:R}."),
                    nameof(schedules));
            }

            common = b;
        }

        return new Chained((Schedule[])schedules.Clone(), common!.Value);
    }

    /// <summary>A constant learning rate.</summary>
    public static Schedule Constant(double learningRate)
    {
        Guard.NonNegative(learningRate, nameof(learningRate));
        return new ClosedForm((_, b) => b, learningRate, "constant");
    }

    /// <summary>PyTorch's <c>StepLR</c>: base·γ^⌊s/stepSize⌋.</summary>
    public static Schedule StepDecay(double baseLearningRate, int stepSize, double gamma = 0.1)
    {
        Guard.NonNegative(baseLearningRate, nameof(baseLearningRate));
        Guard.AtLeast(stepSize, 1, nameof(stepSize));
        Guard.NonNegative(gamma, nameof(gamma));
        return new ClosedForm((s, b) => b * Math.Pow(gamma, Math.Floor(s / stepSize)), baseLearningRate, "step decay");
    }

    /// <summary>
    /// PyTorch's <c>MultiStepLR</c>: base·γ^k where k is the number of milestones ≤ s (a milestone listed twice counts
    /// twice, as in PyTorch).
    /// </summary>
    /// <example><c>Schedule.MultiStep(0.05, [30, 80])</c>: 0.05 before step 30, 0.005 until step 80, 0.0005 after.</example>
    public static Schedule MultiStep(double baseLearningRate, IEnumerable<int> milestones, double gamma = 0.1)
    {
        Guard.NonNegative(baseLearningRate, nameof(baseLearningRate));
        ArgumentNullException.ThrowIfNull(milestones);
        Guard.NonNegative(gamma, nameof(gamma));
        var sorted = milestones.Order().ToArray();
        if (sorted.Length > 0 && sorted[0] < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(milestones), sorted[0], "milestones must be ≥ 0.");
        }

        return new ClosedForm(
            (s, b) =>
            {
                int passed = 0;
                while (passed < sorted.Length && sorted[passed] <= s)
                {
                    passed++;
                }

                return b * Math.Pow(gamma, passed);
            },
            baseLearningRate,
            "multi-step decay");
    }

    /// <summary>
    /// PyTorch's <c>ConstantLR</c>: base·factor for s &lt; totalIters, then base (the closed form
    /// base·(factor + [s ≥ totalIters]·(1 − factor))).
    /// </summary>
    public static Schedule ConstantFactor(double baseLearningRate, double factor = 1.0 / 3, int totalIters = 5)
    {
        Guard.NonNegative(baseLearningRate, nameof(baseLearningRate));
        Guard.InRange(factor, 0, 1, true, nameof(factor));
        Guard.AtLeast(totalIters, 0, nameof(totalIters));
        return new ClosedForm(
            (s, b) => b * (factor + (s >= totalIters ? 1 - factor : 0)), baseLearningRate, "constant factor");
    }

    /// <summary>PyTorch's <c>ExponentialLR</c>: base·γ^s.</summary>
    public static Schedule Exponential(double baseLearningRate, double gamma)
    {
        Guard.NonNegative(baseLearningRate, nameof(baseLearningRate));
        Guard.NonNegative(gamma, nameof(gamma));
        return new ClosedForm((s, b) => b * Math.Pow(gamma, s), baseLearningRate, "exponential");
    }

    /// <summary>PyTorch's <c>PolynomialLR</c>: base·(1 − min(s, totalIters)/totalIters)^power, so 0 from totalIters on.</summary>
    public static Schedule Polynomial(double baseLearningRate, int totalIters = 5, double power = 1.0)
    {
        Guard.NonNegative(baseLearningRate, nameof(baseLearningRate));
        Guard.AtLeast(totalIters, 1, nameof(totalIters));
        Guard.NonNegative(power, nameof(power));
        return new ClosedForm(
            (s, b) => b * Math.Pow(1.0 - Math.Min(totalIters, s) / totalIters, power), baseLearningRate, "polynomial");
    }

    /// <summary>
    /// PyTorch's <c>CosineAnnealingLR</c>: η_min + (base − η_min)(1 + cos(πs/T_max))/2. As in PyTorch there are
    /// no restarts and no clamping: past T_max the rate rises again with period 2·T_max (use
    /// <see cref="CosineWarmRestarts"/> for restarts, or <see cref="Then"/> with a constant to hold η_min).
    /// </summary>
    public static Schedule CosineAnnealing(double baseLearningRate, int tMax, double etaMin = 0)
    {
        Guard.NonNegative(baseLearningRate, nameof(baseLearningRate));
        Guard.AtLeast(tMax, 1, nameof(tMax));
        Guard.NonNegative(etaMin, nameof(etaMin));
        return new ClosedForm(
            (s, b) => etaMin + (b - etaMin) * (1 + Math.Cos(Math.PI * s / tMax)) / 2, baseLearningRate, "cosine");
    }

    /// <summary>
    /// PyTorch's <c>CosineAnnealingWarmRestarts</c> (SGDR): η_min + (base − η_min)(1 + cos(π·T_cur/T_i))/2, where the
    /// i-th period lasts T_i = T_0·T_mult^i steps and T_cur counts steps since the last restart. Fractional steps
    /// (<see cref="LearningRateAt(double)"/>, <see cref="LearningRateScheduler.Step(double)"/>) follow PyTorch's
    /// <c>step(epoch)</c>: T_cur = epoch mod T_0 for T_mult = 1, otherwise n = ⌊log_{T_mult}(epoch/T_0·(T_mult − 1) + 1)⌋,
    /// T_cur = epoch − T_0(T_mult^n − 1)/(T_mult − 1), T_i = T_0·T_mult^n.
    /// </summary>
    public static Schedule CosineWarmRestarts(double baseLearningRate, int t0, int tMult = 1, double etaMin = 0)
    {
        Guard.NonNegative(baseLearningRate, nameof(baseLearningRate));
        Guard.AtLeast(t0, 1, nameof(t0));
        Guard.AtLeast(tMult, 1, nameof(tMult));
        Guard.NonNegative(etaMin, nameof(etaMin));
        return new WarmRestarts(baseLearningRate, t0, tMult, etaMin);
    }

    /// <summary>
    /// PyTorch's <c>LinearLR</c>: base·(s_f + (e_f − s_f)·min(s, totalIters)/totalIters). With the defaults it is a
    /// linear warm-up from base/3 to base over five steps; <c>startFactor: 0.1, totalIters: k</c> is the usual warm-up.
    /// </summary>
    public static Schedule Linear(double baseLearningRate, double startFactor = 1.0 / 3, double endFactor = 1.0, int totalIters = 5)
    {
        Guard.NonNegative(baseLearningRate, nameof(baseLearningRate));
        if (!(startFactor > 0 && startFactor <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(startFactor), startFactor, "startFactor must lie in (0, 1].");
        }

        Guard.InRange(endFactor, 0, 1, true, nameof(endFactor));
        Guard.AtLeast(totalIters, 1, nameof(totalIters));
        return new ClosedForm(
            (s, b) => b * (startFactor + (endFactor - startFactor) * Math.Min(totalIters, s) / totalIters),
            baseLearningRate,
            "linear");
    }

    /// <summary>A linear warm-up from base·<paramref name="startFactor"/> to base over <paramref name="warmupSteps"/> steps, then constant: <see cref="Linear"/> with end factor 1.</summary>
    public static Schedule LinearWarmup(double baseLearningRate, int warmupSteps, double startFactor = 0.1) =>
        Linear(baseLearningRate, startFactor, 1.0, warmupSteps);

    /// <summary>PyTorch's <c>LambdaLR</c>: base·factor(s).</summary>
    public static Schedule Lambda(double baseLearningRate, Func<long, double> factor)
    {
        Guard.NonNegative(baseLearningRate, nameof(baseLearningRate));
        ArgumentNullException.ThrowIfNull(factor);
        return new LambdaSchedule(baseLearningRate, factor);
    }

    /// <summary>
    /// PyTorch's <c>OneCycleLR</c> (Smith's 1cycle policy): the rate rises from maxLr/divFactor to maxLr over the
    /// first <paramref name="pctStart"/> of <paramref name="totalSteps"/>, then anneals to maxLr/(divFactor·finalDivFactor);
    /// with <paramref name="threePhase"/> it first returns to maxLr/divFactor and only then anneals. When
    /// <paramref name="cycleMomentum"/> is set the momentum (β1 for Adam-like optimizers) moves inversely, from
    /// maxMomentum to baseMomentum and back. Steps beyond <paramref name="totalSteps"/> are an error, as in PyTorch.
    /// </summary>
    public static Schedule OneCycle(
        double maxLearningRate,
        int totalSteps,
        double pctStart = 0.3,
        AnnealStrategy annealStrategy = AnnealStrategy.Cosine,
        bool cycleMomentum = true,
        double baseMomentum = 0.85,
        double maxMomentum = 0.95,
        double divFactor = 25.0,
        double finalDivFactor = 1e4,
        bool threePhase = false)
    {
        Guard.NonNegative(maxLearningRate, nameof(maxLearningRate));
        Guard.AtLeast(totalSteps, 1, nameof(totalSteps));
        Guard.InRange(pctStart, 0, 1, true, nameof(pctStart));
        Guard.NonNegative(baseMomentum, nameof(baseMomentum));
        Guard.NonNegative(maxMomentum, nameof(maxMomentum));
        Guard.Positive(divFactor, nameof(divFactor));
        Guard.Positive(finalDivFactor, nameof(finalDivFactor));
        return new OneCycleSchedule(maxLearningRate, totalSteps, pctStart, annealStrategy, cycleMomentum, baseMomentum,
            maxMomentum, divFactor, finalDivFactor, threePhase);
    }

    /// <summary>
    /// PyTorch's <c>CyclicLR</c> (Smith's cyclical learning rates): the rate goes from <paramref name="baseLearningRate"/>
    /// up to <paramref name="maxLearningRate"/> in <paramref name="stepSizeUp"/> steps and back in
    /// <paramref name="stepSizeDown"/> (default: the same), the amplitude scaled by the mode. With
    /// <paramref name="cycleMomentum"/> (PyTorch's default) the momentum, or β1 for Adam-like optimizers, moves inversely
    /// between <paramref name="maxMomentum"/> and <paramref name="baseMomentum"/>.
    /// </summary>
    /// <remarks>
    /// cycle = ⌊1 + s/(up + down)⌋, x = 1 + s/(up + down) − cycle, scale = x/r for x ≤ r = up/(up + down), else (x − 1)/(r − 1);
    /// lr = base + (max − base)·scale·f, momentum = max_m − (max_m − base_m)·scale·f, with f = 1 (triangular),
    /// 1/2^(cycle − 1) (triangular2), γ^s (exp_range) or <paramref name="scaleFunction"/> of the cycle or the step.
    /// </remarks>
    public static Schedule Cyclic(
        double baseLearningRate,
        double maxLearningRate,
        int stepSizeUp = 2000,
        int? stepSizeDown = null,
        CyclicMode mode = CyclicMode.Triangular,
        double gamma = 1.0,
        Func<double, double>? scaleFunction = null,
        CyclicScaleMode scaleMode = CyclicScaleMode.Cycle,
        bool cycleMomentum = true,
        double baseMomentum = 0.8,
        double maxMomentum = 0.9)
    {
        Guard.NonNegative(baseLearningRate, nameof(baseLearningRate));
        Guard.NonNegative(maxLearningRate, nameof(maxLearningRate));
        Guard.AtLeast(stepSizeUp, 1, nameof(stepSizeUp));
        if (stepSizeDown is int down)
        {
            Guard.AtLeast(down, 1, nameof(stepSizeDown));
        }

        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown cyclic mode.");
        }

        if (!Enum.IsDefined(scaleMode))
        {
            throw new ArgumentOutOfRangeException(nameof(scaleMode), scaleMode, "Unknown scale mode.");
        }

        Guard.NonNegative(gamma, nameof(gamma));
        Guard.NonNegative(baseMomentum, nameof(baseMomentum));
        Guard.NonNegative(maxMomentum, nameof(maxMomentum));
        return new CyclicSchedule(baseLearningRate, maxLearningRate, stepSizeUp, stepSizeDown ?? stepSizeUp, mode, gamma,
            scaleFunction, scaleMode, cycleMomentum, baseMomentum, maxMomentum);
    }

    /// <summary>Any function of the step (absolute rates: every parameter group gets the same one).</summary>
    public static Schedule FromFunction(Func<long, double> learningRate, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(learningRate);
        return new FunctionSchedule(learningRate, description ?? "custom");
    }

    private static void CheckStep(long step)
    {
        if (step < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, "step must be ≥ 0.");
        }
    }

    private static void CheckStep(double step)
    {
        if (!(step >= 0) || double.IsInfinity(step))
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, "step must be a finite number ≥ 0.");
        }
    }

    /// <summary>A schedule given by a closed form in the (possibly fractional) step and the base rate.</summary>
    private sealed class ClosedForm(Func<double, double, double> f, double baseLearningRate, string description) : Schedule
    {
        public override double? BaseLearningRate => baseLearningRate;

        public override bool SupportsFractionalSteps => true;

        public override double LearningRate(long step) => LearningRate(step, baseLearningRate);

        public override double LearningRate(long step, double baseLearningRate)
        {
            CheckStep(step);
            return f(step, baseLearningRate);
        }

        public override double LearningRateAt(double step, double baseLearningRate)
        {
            CheckStep(step);
            return f(step, baseLearningRate);
        }

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{description} (base {baseLearningRate:G6})");
    }

    private sealed class LambdaSchedule(double baseLearningRate, Func<long, double> factor) : Schedule
    {
        public override double? BaseLearningRate => baseLearningRate;

        public override double LearningRate(long step) => LearningRate(step, baseLearningRate);

        public override double LearningRate(long step, double baseLearningRate)
        {
            CheckStep(step);
            return baseLearningRate * factor(step);
        }

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"lambda (base {baseLearningRate:G6})");
    }

    private sealed class FunctionSchedule(Func<long, double> f, string description) : Schedule
    {
        public override double LearningRate(long step)
        {
            CheckStep(step);
            return f(step);
        }

        public override string ToString() => description;
    }

    private sealed class WarmRestarts(double baseLearningRate, int t0, int tMult, double etaMin) : Schedule
    {
        public override double? BaseLearningRate => baseLearningRate;

        public override bool SupportsFractionalSteps => true;

        public override double LearningRate(long step) => LearningRate(step, baseLearningRate);

        public override double LearningRate(long step, double baseLearningRate)
        {
            // PyTorch's step(): T_cur += 1, and on reaching T_i, T_cur −= T_i and T_i *= T_mult (exact in integers).
            CheckStep(step);
            long tCur = step, tI = t0;
            while (tCur >= tI)
            {
                tCur -= tI;
                tI *= tMult;
            }

            return etaMin + (baseLearningRate - etaMin) * (1 + Math.Cos(Math.PI * tCur / tI)) / 2;
        }

        public override double LearningRateAt(double step, double baseLearningRate)
        {
            // PyTorch's step(epoch) with a float epoch.
            CheckStep(step);
            double tCur, tI;
            if (step >= t0)
            {
                if (tMult == 1)
                {
                    tCur = PythonModulo(step, t0);
                    tI = t0;
                }
                else
                {
                    int n = (int)(Math.Log(step / t0 * (tMult - 1) + 1) / Math.Log(tMult));
                    tCur = step - t0 * (Math.Pow(tMult, n) - 1) / (tMult - 1);
                    tI = t0 * Math.Pow(tMult, n);
                }
            }
            else
            {
                tI = t0;
                tCur = step;
            }

            return etaMin + (baseLearningRate - etaMin) * (1 + Math.Cos(Math.PI * tCur / tI)) / 2;
        }

        /// <summary>Python's float %, which takes the sign of the divisor (both are ≥ 0 here, so it is C#'s %).</summary>
        private static double PythonModulo(double a, double b) => a % b;

        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"cosine with warm restarts (base {baseLearningRate:G6})");
    }

    private sealed class Sequential(Schedule first, Schedule next, long milestone) : Schedule
    {
        public override double? BaseLearningRate => first.BaseLearningRate;

        public override double LearningRate(long step)
        {
            CheckStep(step);
            return step < milestone ? first.LearningRate(step) : next.LearningRate(step - milestone);
        }

        public override double LearningRate(long step, double baseLearningRate)
        {
            CheckStep(step);
            return step < milestone ? first.LearningRate(step, baseLearningRate) : next.LearningRate(step - milestone, baseLearningRate);
        }

        public override double? Momentum(long step) =>
            step < milestone ? first.Momentum(step) : next.Momentum(step - milestone);

        public override string ToString() => $"{first} then, from step {milestone}, {next}";
    }

    private sealed class Chained(Schedule[] schedules, double baseLearningRate) : Schedule
    {
        public override double? BaseLearningRate => baseLearningRate;

        public override bool SupportsFractionalSteps => schedules.All(s => s.SupportsFractionalSteps);

        public override double LearningRate(long step) => LearningRate(step, baseLearningRate);

        public override double LearningRate(long step, double baseLearningRate)
        {
            CheckStep(step);
            double rate = baseLearningRate;
            foreach (var s in schedules)
            {
                rate *= s.LearningRate(step) / s.BaseLearningRate!.Value;
            }

            return rate;
        }

        public override double LearningRateAt(double step, double baseLearningRate)
        {
            CheckStep(step);
            double rate = baseLearningRate;
            foreach (var s in schedules)
            {
                rate *= s.LearningRateAt(step) / s.BaseLearningRate!.Value;
            }

            return rate;
        }

        public override double? Momentum(long step) => null;

        public override string ToString() => "chain of " + string.Join(", ", schedules.Select(s => s.ToString()));
    }

    private sealed class CyclicSchedule(
        double baseLr, double maxLr, int up, int down, CyclicMode mode, double gamma, Func<double, double>? scaleFunction,
        CyclicScaleMode scaleMode, bool cycleMomentum, double baseMomentum, double maxMomentum) : Schedule
    {
        private readonly double _totalSize = (double)up + down;
        private readonly double _stepRatio = (double)up / ((double)up + down);

        public override double LearningRate(long step)
        {
            var (scale, factor) = Evaluate(step);
            return baseLr + (maxLr - baseLr) * scale * factor;
        }

        public override double? Momentum(long step)
        {
            if (!cycleMomentum)
            {
                return null;
            }

            var (scale, factor) = Evaluate(step);
            return maxMomentum - (maxMomentum - baseMomentum) * scale * factor;
        }

        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"cyclic {mode} between {baseLr:G6} and {maxLr:G6}");

        private (double Scale, double Factor) Evaluate(long step)
        {
            CheckStep(step);
            double cycle = Math.Floor(1 + step / _totalSize);
            double x = 1.0 + step / _totalSize - cycle;
            double scale = x <= _stepRatio ? x / _stepRatio : (x - 1) / (_stepRatio - 1);
            double factor;
            if (scaleFunction is not null)
            {
                factor = scaleFunction(scaleMode == CyclicScaleMode.Cycle ? cycle : step);
            }
            else
            {
                factor = mode switch
                {
                    CyclicMode.Triangular => 1.0,
                    CyclicMode.Triangular2 => 1 / Math.Pow(2.0, cycle - 1),
                    _ => Math.Pow(gamma, step),
                };
            }

            return (scale, factor);
        }
    }

    private sealed class OneCycleSchedule : Schedule
    {
        private readonly (double EndStep, double StartLr, double EndLr, double StartMomentum, double EndMomentum)[] _phases;
        private readonly int _totalSteps;
        private readonly AnnealStrategy _anneal;
        private readonly bool _cycleMomentum;

        public OneCycleSchedule(double maxLr, int totalSteps, double pctStart, AnnealStrategy anneal, bool cycleMomentum,
            double baseMomentum, double maxMomentum, double divFactor, double finalDivFactor, bool threePhase)
        {
            double initialLr = maxLr / divFactor;
            double minLr = initialLr / finalDivFactor;
            double warm = pctStart * totalSteps;
            _phases = threePhase
                ? [
                    (warm - 1, initialLr, maxLr, maxMomentum, baseMomentum),
                    (2 * warm - 2, maxLr, initialLr, baseMomentum, maxMomentum),
                    (totalSteps - 1, initialLr, minLr, maxMomentum, maxMomentum),
                ]
                : [
                    (warm - 1, initialLr, maxLr, maxMomentum, baseMomentum),
                    (totalSteps - 1, maxLr, minLr, baseMomentum, maxMomentum),
                ];
            _totalSteps = totalSteps;
            _anneal = anneal;
            _cycleMomentum = cycleMomentum;
        }

        public override double LearningRate(long step) => Evaluate(step).Lr;

        public override double? Momentum(long step) => _cycleMomentum ? Evaluate(step).Momentum : null;

        public override string ToString() => $"one-cycle over {_totalSteps} steps";

        private (double Lr, double Momentum) Evaluate(long step)
        {
            CheckStep(step);
            if (step > _totalSteps)
            {
                throw new ArgumentOutOfRangeException(nameof(step), step,
                    $"A one-cycle schedule of {_totalSteps} total steps was asked for step {step}.");
            }

            double start = 0;
            for (int i = 0; i < _phases.Length; i++)
            {
                var phase = _phases[i];
                if (step <= phase.EndStep || i == _phases.Length - 1)
                {
                    double pct = (step - start) / (phase.EndStep - start);
                    return (Anneal(phase.StartLr, phase.EndLr, pct), Anneal(phase.StartMomentum, phase.EndMomentum, pct));
                }

                start = phase.EndStep;
            }

            throw new InvalidOperationException("unreachable");
        }

        private double Anneal(double start, double end, double pct) => _anneal == AnnealStrategy.Cosine
            ? end + (start - end) / 2.0 * (Math.Cos(Math.PI * pct) + 1)
            : (end - start) * pct + start;
    }
}
