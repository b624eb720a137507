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

/// <summary>
/// A learning-rate schedule: a pure function of the step, in the closed forms of PyTorch's
/// <c>torch.optim.lr_scheduler</c> (optax's view of schedules, PyTorch's formulas).
/// </summary>
/// <remarks>
/// <para>
/// The step argument is PyTorch's <c>last_epoch</c>: the number of optimizer updates already made, so
/// the first update uses <c>LearningRate(0)</c>. <see cref="Apply"/> does this for you:
/// <c>schedule.Apply(optimizer)</c> before each <see cref="Optimizer.Step"/>.
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

    /// <summary>The momentum (or β1) for that update, or null when the schedule does not cycle momentum.</summary>
    public virtual double? Momentum(long step) => null;

    /// <summary>Sets the learning rate (and momentum or β1, if the schedule cycles it) of <paramref name="optimizer"/> for its next step.</summary>
    /// <exception cref="InvalidOperationException">The schedule cycles momentum but the optimizer has none (<see cref="ICycledMomentum"/>).</exception>
    public void Apply(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        long step = optimizer.StepCount;
        optimizer.LearningRate = LearningRate(step);
        if (Momentum(step) is double momentum)
        {
            if (optimizer is not ICycledMomentum cycled)
            {
                throw new InvalidOperationException(
                    $"The schedule cycles momentum but {optimizer.Name} has no momentum or β1; create the one-cycle schedule with cycleMomentum: false.");
            }

            cycled.CycledMomentum = momentum;
        }
    }

    /// <summary>This schedule up to <paramref name="milestone"/>, then <paramref name="next"/> started afresh (PyTorch's <c>SequentialLR</c>): step s ≥ milestone uses next(s − milestone).</summary>
    /// <example><c>Schedule.Linear(0.1, startFactor: 0.1, totalIters: 5).Then(Schedule.CosineAnnealing(0.1, tMax: 95), milestone: 5)</c> is warm-up then cosine.</example>
    public Schedule Then(Schedule next, long milestone)
    {
        ArgumentNullException.ThrowIfNull(next);
        Guard.AtLeast(milestone, 0, nameof(milestone));
        return new Sequential(this, next, milestone);
    }

    /// <summary>A constant learning rate.</summary>
    public static Schedule Constant(double learningRate) =>
        new FunctionSchedule(_ => learningRate, Guard.NonNegative(learningRate, nameof(learningRate)), "constant");

    /// <summary>PyTorch's <c>StepLR</c>: base·γ^⌊s/stepSize⌋.</summary>
    public static Schedule StepDecay(double baseLearningRate, int stepSize, double gamma = 0.1)
    {
        Guard.NonNegative(baseLearningRate, nameof(baseLearningRate));
        Guard.AtLeast(stepSize, 1, nameof(stepSize));
        Guard.NonNegative(gamma, nameof(gamma));
        return new FunctionSchedule(s => baseLearningRate * Math.Pow(gamma, s / stepSize), baseLearningRate, "step decay");
    }

    /// <summary>PyTorch's <c>ExponentialLR</c>: base·γ^s.</summary>
    public static Schedule Exponential(double baseLearningRate, double gamma)
    {
        Guard.NonNegative(baseLearningRate, nameof(baseLearningRate));
        Guard.NonNegative(gamma, nameof(gamma));
        return new FunctionSchedule(s => baseLearningRate * Math.Pow(gamma, s), baseLearningRate, "exponential");
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
        return new FunctionSchedule(
            s => etaMin + (baseLearningRate - etaMin) * (1 + Math.Cos(Math.PI * s / tMax)) / 2, baseLearningRate, "cosine");
    }

    /// <summary>
    /// PyTorch's <c>CosineAnnealingWarmRestarts</c> (SGDR): η_min + (base − η_min)(1 + cos(π·T_cur/T_i))/2, where the
    /// i-th period lasts T_i = T_0·T_mult^i steps and T_cur counts steps since the last restart.
    /// </summary>
    public static Schedule CosineWarmRestarts(double baseLearningRate, int t0, int tMult = 1, double etaMin = 0)
    {
        Guard.NonNegative(baseLearningRate, nameof(baseLearningRate));
        Guard.AtLeast(t0, 1, nameof(t0));
        Guard.AtLeast(tMult, 1, nameof(tMult));
        Guard.NonNegative(etaMin, nameof(etaMin));
        return new FunctionSchedule(
            s =>
            {
                long tCur = s, tI = t0;
                while (tCur >= tI)
                {
                    tCur -= tI;
                    tI *= tMult;
                }

                return etaMin + (baseLearningRate - etaMin) * (1 + Math.Cos(Math.PI * tCur / tI)) / 2;
            },
            baseLearningRate,
            "cosine with warm restarts");
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
        return new FunctionSchedule(
            s => baseLearningRate * (startFactor + (endFactor - startFactor) * Math.Min(totalIters, s) / totalIters),
            baseLearningRate,
            "linear");
    }

    /// <summary>A linear warm-up from base·<paramref name="startFactor"/> to base over <paramref name="warmupSteps"/> steps, then constant: <see cref="Linear"/> with end factor 1.</summary>
    public static Schedule LinearWarmup(double baseLearningRate, int warmupSteps, double startFactor = 0.1) =>
        Linear(baseLearningRate, startFactor, 1.0, warmupSteps);

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

    /// <summary>Any function of the step.</summary>
    public static Schedule FromFunction(Func<long, double> learningRate, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(learningRate);
        return new FunctionSchedule(learningRate, double.NaN, description ?? "custom");
    }

    private static void CheckStep(long step)
    {
        if (step < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, "step must be ≥ 0.");
        }
    }

    private sealed class FunctionSchedule(Func<long, double> f, double baseLearningRate, string description) : Schedule
    {
        public override double LearningRate(long step)
        {
            CheckStep(step);
            return f(step);
        }

        public override string ToString() =>
            double.IsNaN(baseLearningRate)
                ? description
                : string.Create(CultureInfo.InvariantCulture, $"{description} (base {baseLearningRate:G6})");
    }

    private sealed class Sequential(Schedule first, Schedule next, long milestone) : Schedule
    {
        public override double LearningRate(long step)
        {
            CheckStep(step);
            return step < milestone ? first.LearningRate(step) : next.LearningRate(step - milestone);
        }

        public override double? Momentum(long step) =>
            step < milestone ? first.Momentum(step) : next.Momentum(step - milestone);

        public override string ToString() => $"{first} then, from step {milestone}, {next}";
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
