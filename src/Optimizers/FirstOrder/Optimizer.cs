using System.Globalization;

namespace SymbolicGrad.Optimizers;

/// <summary>
/// A first-order optimizer: it turns a gradient into an in-place update of a flat parameter vector,
/// following PyTorch's <c>torch.optim</c> update rules to the letter (see <c>docs/optimizers.md</c>).
/// </summary>
/// <remarks>
/// <para>
/// The optimizer learns the dimension from its first <see cref="Step"/> call and allocates its state
/// buffers then; later steps allocate nothing. The step counter is incremented before the update, so
/// the first update uses t = 1, as in PyTorch.
/// </para>
/// <para>
/// <see cref="LearningRate"/> (and, for optimizers that implement <see cref="ICycledMomentum"/>, the
/// momentum or β1) may be changed between steps; that is how schedules drive an optimizer. Everything
/// the next update depends on can be captured with <see cref="SaveState"/> and put back with
/// <see cref="RestoreState"/>: a restored optimizer continues bit for bit.
/// </para>
/// <para>
/// Every constructor takes <c>groups</c>: <see cref="ParameterGroup"/> ranges of the vector with their own learning
/// rate, weight decay and other hyper-parameters, PyTorch's parameter groups. Each group is updated exactly as an
/// ungrouped optimizer with the group's values would update its slice; <see cref="Groups"/> lists them.
/// </para>
/// </remarks>
public abstract class Optimizer
{
    private static readonly ParameterGroup Everything = new(..);

    private readonly OptimizerGroup[] _groups;
    private readonly IReadOnlyList<OptimizerGroup> _groupView;
    private readonly bool _grouped;
    private readonly GroupSettings _groupSettings;
    private double _learningRate;

    /// <summary>Initializes the learning rate and the parameter groups.</summary>
    /// <param name="learningRate">γ, at least 0: the rate of every group that does not set its own.</param>
    /// <param name="groups">The parameter groups, or null for one group holding every parameter.</param>
    /// <param name="settings">The per-group hyper-parameters this optimizer has, besides the learning rate.</param>
    /// <param name="betasUpToOne">Whether β1 and β2 may be 1 (Lion), rather than lie in [0, 1).</param>
    private protected Optimizer(
        double learningRate, IReadOnlyList<ParameterGroup>? groups, GroupSettings settings, bool betasUpToOne = false)
    {
        _learningRate = Guard.NonNegative(learningRate, nameof(learningRate));
        _groupSettings = settings;
        if (groups is null)
        {
            _groups = [new OptimizerGroup(this, 0, Everything, null, follows: true)];
        }
        else
        {
            _grouped = true;
            _groups = CreateGroups(groups, settings, betasUpToOne);
        }

        _groupView = Array.AsReadOnly(_groups);
    }

    /// <summary>The name written into saved state; equal to the class name (<c>"Adam"</c>, <c>"Sgd"</c>, ...).</summary>
    public string Name => GetType().Name;

    /// <summary>
    /// γ, the learning rate used by the next <see cref="Step"/> for every group that has no rate of its own (without
    /// groups: for every parameter). Schedules set it; see <see cref="Schedule.Apply(Optimizer)"/> for groups.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative, infinite or NaN.</exception>
    public double LearningRate
    {
        get => _learningRate;
        set => _learningRate = Guard.NonNegative(value, nameof(LearningRate));
    }

    /// <summary>
    /// The parameter groups, in the order they were given; one group holding every parameter when the optimizer was
    /// created without groups. Their <see cref="OptimizerGroup.Offset"/> and <see cref="OptimizerGroup.Length"/> are
    /// known from the first <see cref="Step"/> on.
    /// </summary>
    public IReadOnlyList<OptimizerGroup> Groups => _groupView;

    /// <summary>Whether the optimizer was created with explicit parameter groups.</summary>
    public bool HasGroups => _grouped;

    /// <summary>The number of updates performed so far (t of the last update; 0 before the first).</summary>
    public long StepCount { get; private set; }

    /// <summary>The length of the parameter vector, fixed by the first <see cref="Step"/>; 0 before it.</summary>
    public int Dimension { get; private set; }

    /// <summary>Updates <paramref name="parameters"/> in place from <paramref name="gradient"/> (∇f at <paramref name="parameters"/>).</summary>
    /// <param name="parameters">θ<sub>t−1</sub> on entry, θ<sub>t</sub> on return.</param>
    /// <param name="gradient">∇f(θ<sub>t−1</sub>); it is not modified.</param>
    /// <exception cref="ArgumentException">
    /// The spans are empty, differ in length, share memory, or differ from the length of the first call; or, at the first call,
    /// the parameter groups do not fit the vector (a range outside it, two groups overlapping, a coordinate in no group).
    /// </exception>
    public void Step(Span<double> parameters, ReadOnlySpan<double> gradient)
    {
        if (gradient.Length != parameters.Length)
        {
            throw new ArgumentException(
                $"gradient has length {gradient.Length} but parameters has length {parameters.Length}.", nameof(gradient));
        }

        if (parameters.Overlaps(gradient))
        {
            // The update writes parameters while it reads gradient: a shared element would be read after it changed.
            throw new ArgumentException(
                "gradient shares memory with parameters: the update writes parameters while it reads gradient. Pass the gradient in a buffer of its own.", nameof(gradient));
        }

        if (Dimension == 0)
        {
            if (parameters.IsEmpty)
            {
                throw new ArgumentException("parameters is empty.", nameof(parameters));
            }

            var layout = ResolveGroups(parameters.Length);
            Dimension = parameters.Length;
            ApplyLayout(layout);
            AllocateState(Dimension);
        }
        else if (parameters.Length != Dimension)
        {
            throw new ArgumentException(
                $"{Name} was first stepped with {Dimension} parameters but parameters now has length {parameters.Length}; " +
                "call Reset() to use the optimizer on a different vector.", nameof(parameters));
        }

        StepCount++;
        foreach (var group in _groups)
        {
            Update(parameters.Slice(group.Offset, group.Length), gradient.Slice(group.Offset, group.Length), group, StepCount);
        }
    }

    /// <summary>Forgets the dimension, the step count and every buffer; the hyper-parameters (and the groups' rates) stay.</summary>
    public void Reset()
    {
        StepCount = 0;
        Dimension = 0;
        ApplyLayout(null);
        ReleaseState();
    }

    /// <summary>
    /// Captures everything the next update depends on: hyper-parameters, the groups and their rates, step count,
    /// scalars and buffers.
    /// </summary>
    /// <returns>A self-contained copy; later steps do not change it.</returns>
    public OptimizerState SaveState()
    {
        var collector = new OptimizerState.Builder(Name, Dimension, StepCount);
        collector.Scalar("learning_rate", ref _learningRate);
        VisitGroups(collector);
        VisitState(collector);
        return collector.Build();
    }

    /// <summary>
    /// Replaces this optimizer's state with <paramref name="state"/>, so that the next <see cref="Step"/>
    /// gives bit for bit what the saved optimizer's next step would have given.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="state"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// The state was saved by another optimizer type, with different fixed hyper-parameters or groups, for a different
    /// dimension than this optimizer already has, or lacks an entry this optimizer needs.
    /// Nothing is changed when it throws.
    /// </exception>
    public void RestoreState(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.OptimizerName != Name)
        {
            throw new ArgumentException(
                $"The state was saved by {state.OptimizerName} and cannot be restored into {Name}.", nameof(state));
        }

        if (Dimension != 0 && state.Dimension != 0 && state.Dimension != Dimension)
        {
            throw new ArgumentException(
                $"The state is for {state.Dimension} parameters but this {Name} is already used with {Dimension}.", nameof(state));
        }

        // A step count beyond 2⁵³ is not a count a run reaches, and the bias corrections of the next step overflowed to
        // NaN at long.MaxValue (red-team O).
        if (state.StepCount < 0 || state.StepCount > 1L << 53)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"This {state.OptimizerName} state cannot be restored: its step count is {state.StepCount}, and a step count lies in [0, 2⁵³]."), nameof(state));
        }

        // Validate everything first (a dry run that writes nothing), then apply.
        var check = new OptimizerState.Reader(state, apply: false);
        double lr = _learningRate;
        check.Scalar("learning_rate", ref lr);
        VisitGroups(check);
        VisitState(check);
        check.ThrowIfUnread();
        var layout = state.Dimension == 0 ? null : ResolveGroups(state.Dimension, nameof(state));

        StepCount = state.StepCount;
        Dimension = state.Dimension;
        ApplyLayout(layout);
        if (Dimension == 0)
        {
            ReleaseState();
        }
        else
        {
            AllocateState(Dimension);
        }

        var reader = new OptimizerState.Reader(state, apply: true);
        reader.Scalar("learning_rate", ref _learningRate);
        VisitGroups(reader);
        VisitState(reader);
    }

    /// <summary>Allocates (and initializes) the state buffers for <paramref name="dimension"/> parameters.</summary>
    private protected abstract void AllocateState(int dimension);

    /// <summary>Drops the state buffers.</summary>
    private protected abstract void ReleaseState();

    /// <summary>
    /// The update rule for one group: <paramref name="parameters"/> and <paramref name="gradient"/> are the group's
    /// slices, which start at <see cref="OptimizerGroup.Offset"/> in the state buffers; <paramref name="t"/> is the 1-based step number.
    /// </summary>
    private protected abstract void Update(Span<double> parameters, ReadOnlySpan<double> gradient, OptimizerGroup group, long t);

    /// <summary>Names every hyper-parameter, scalar and buffer for saving or restoring.</summary>
    private protected abstract void VisitState(IStateVisitor visitor);

    /// <summary>The state name of a per-group scalar: <paramref name="name"/> without groups, <c>group{i}.name</c> with them.</summary>
    private protected string GroupEntry(OptimizerGroup group, string name) =>
        _grouped ? string.Create(CultureInfo.InvariantCulture, $"group{group.Index}.{name}") : name;

    /// <summary>Makes every group use the optimizer's momentum or β1 (what a momentum-cycling schedule sets).</summary>
    private protected void ClearGroupMomentum()
    {
        foreach (var group in _groups)
        {
            group.CycledMomentum = null;
        }
    }

    private OptimizerGroup[] CreateGroups(IReadOnlyList<ParameterGroup> groups, GroupSettings settings, bool betasUpToOne)
    {
        if (groups.Count == 0)
        {
            throw new ArgumentException(
                "groups is empty; pass null (the default) for one group holding every parameter.", nameof(groups));
        }

        var result = new OptimizerGroup[groups.Count];
        for (int i = 0; i < groups.Count; i++)
        {
            var g = groups[i] ?? throw new ArgumentNullException($"groups[{i}]", $"groups[{i}] is null.");
            string at = string.Create(CultureInfo.InvariantCulture, $"groups[{i}]");
            if (g.LearningRate is double lr)
            {
                Guard.NonNegative(lr, at + ".learningRate");
            }

            CheckSetting(g.WeightDecay, GroupSettings.WeightDecay, at + ".weightDecay", settings, v => Guard.NonNegative(v, at + ".weightDecay"));
            CheckSetting(g.Momentum, GroupSettings.Momentum, at + ".momentum", settings, v => Guard.NonNegative(v, at + ".momentum"));
            CheckSetting(g.Beta1, GroupSettings.Beta1, at + ".beta1", settings, v => Guard.InRange(v, 0, 1, betasUpToOne, at + ".beta1"));
            CheckSetting(g.Beta2, GroupSettings.Beta2, at + ".beta2", settings, v => Guard.InRange(v, 0, 1, betasUpToOne, at + ".beta2"));
            CheckSetting(g.Epsilon, GroupSettings.Epsilon, at + ".epsilon", settings, v => Guard.NonNegative(v, at + ".epsilon"));
            var (start, end) = (g.Range.Start, g.Range.End);
            if (start.IsFromEnd == end.IsFromEnd && (start.IsFromEnd ? start.Value <= end.Value : start.Value >= end.Value))
            {
                throw new ArgumentException($"{at} ({g.Range}) holds no parameters.", at);
            }

            result[i] = new OptimizerGroup(this, i, g, g.Momentum ?? g.Beta1, follows: false);
        }

        // Ranges counted from the start can be checked now; the rest waits for the first step.
        if (groups.All(g => !g.Range.Start.IsFromEnd && !g.Range.End.IsFromEnd))
        {
            var ordered = Enumerable.Range(0, groups.Count).OrderBy(i => groups[i].Range.Start.Value).ToArray();
            int covered = 0;
            foreach (int i in ordered)
            {
                var range = groups[i].Range;
                if (range.Start.Value < covered)
                {
                    throw new ArgumentException(
                        $"groups[{i}] ({range}) overlaps another group: a coordinate can be in one group only.", nameof(groups));
                }

                if (range.Start.Value > covered)
                {
                    throw new ArgumentException(
                        $"Coordinates {covered}..{range.Start.Value} are in no group; add a group for them " +
                        "(learningRate: 0 freezes them).", nameof(groups));
                }

                covered = range.End.Value;
            }
        }

        return result;
    }

    private void CheckSetting(double? value, GroupSettings setting, string at, GroupSettings allowed, Action<double> validate)
    {
        if (value is not double v)
        {
            return;
        }

        if ((allowed & setting) == 0)
        {
            throw new ArgumentException($"{Name} has no per-group {setting}; {at} cannot be set.", at);
        }

        validate(v);
    }

    /// <summary>Resolves the group ranges for a vector of <paramref name="dimension"/> parameters, or throws naming the problem.</summary>
    private (int Offset, int Length)[] ResolveGroups(int dimension, string argument = "parameters")
    {
        var layout = new (int Offset, int Length)[_groups.Length];
        for (int i = 0; i < _groups.Length; i++)
        {
            var range = _groups[i].Definition.Range;
            int start = range.Start.GetOffset(dimension), end = range.End.GetOffset(dimension);
            if (start < 0 || end > dimension || start >= end)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture,
                        $"groups[{i}] ({range}) does not fit a vector of {dimension} parameters (it would be {start}..{end})."),
                    argument);
            }

            layout[i] = (start, end - start);
        }

        int covered = 0;
        foreach (int i in Enumerable.Range(0, layout.Length).OrderBy(i => layout[i].Offset))
        {
            if (layout[i].Offset < covered)
            {
                throw new ArgumentException(
                    $"groups[{i}] ({_groups[i].Definition.Range}) overlaps another group in a vector of {dimension} parameters.", argument);
            }

            if (layout[i].Offset > covered)
            {
                throw new ArgumentException(
                    $"Coordinates {covered}..{layout[i].Offset} of the {dimension} parameters are in no group; add a group for them " +
                    "(learningRate: 0 freezes them).", argument);
            }

            covered = layout[i].Offset + layout[i].Length;
        }

        if (covered != dimension)
        {
            throw new ArgumentException(
                $"Coordinates {covered}..{dimension} of the {dimension} parameters are in no group; add a group for them " +
                "(learningRate: 0 freezes them).", argument);
        }

        return layout;
    }

    private void ApplyLayout((int Offset, int Length)[]? layout)
    {
        for (int i = 0; i < _groups.Length; i++)
        {
            (_groups[i].Offset, _groups[i].Length) = layout is null ? (0, 0) : layout[i];
        }
    }

    /// <summary>The group layout and the groups' own rates (nothing for an optimizer without groups).</summary>
    private void VisitGroups(IStateVisitor visitor)
    {
        if (!_grouped)
        {
            return;
        }

        bool apply = visitor is OptimizerState.Reader { Applies: true };
        string? cycled = (_groupSettings & GroupSettings.Momentum) != 0 ? "momentum"
            : (_groupSettings & GroupSettings.Beta1) != 0 ? "beta1"
            : null;
        visitor.Setting("groups", _groups.Length);
        foreach (var group in _groups)
        {
            var g = group.Definition;
            string p = string.Create(CultureInfo.InvariantCulture, $"group{group.Index}.");
            visitor.Setting(p + "start", Encode(g.Range.Start));
            visitor.Setting(p + "end", Encode(g.Range.End));
            visitor.Setting(p + "initial_learning_rate", g.LearningRate ?? double.NaN);
            VisitSetting(visitor, p + "weight_decay", GroupSettings.WeightDecay, g.WeightDecay);
            VisitSetting(visitor, p + "initial_momentum", GroupSettings.Momentum, g.Momentum);
            VisitSetting(visitor, p + "initial_beta1", GroupSettings.Beta1, g.Beta1);
            VisitSetting(visitor, p + "beta2", GroupSettings.Beta2, g.Beta2);
            VisitSetting(visitor, p + "epsilon", GroupSettings.Epsilon, g.Epsilon);
            double lr = group.OwnLearningRateOrNaN;
            visitor.Scalar(p + "learning_rate", ref lr);
            double momentum = group.CycledMomentum ?? double.NaN;
            if (cycled is not null)
            {
                visitor.Scalar(p + cycled, ref momentum);
            }

            if (apply)
            {
                group.OwnLearningRateOrNaN = lr;
                group.CycledMomentum = double.IsNaN(momentum) ? null : momentum;
            }
        }
    }

    private void VisitSetting(IStateVisitor visitor, string name, GroupSettings setting, double? value)
    {
        if ((_groupSettings & setting) != 0)
        {
            visitor.Setting(name, value ?? double.NaN);
        }
    }

    /// <summary>An index as a number: i for i, −(i + 1) for ^i.</summary>
    private static double Encode(Index index) => index.IsFromEnd ? -(index.Value + 1.0) : index.Value;
}

/// <summary>The per-group hyper-parameters an optimizer has, besides the learning rate.</summary>
[Flags]
internal enum GroupSettings
{
    None = 0,
    WeightDecay = 1,
    Momentum = 2,
    Beta1 = 4,
    Beta2 = 8,
    Epsilon = 16,
}

/// <summary>
/// Implemented by optimizers whose momentum coefficient a one-cycle schedule can cycle: the momentum of
/// <see cref="Sgd"/> and <see cref="RmsProp"/>, and β1 of the Adam family and <see cref="Lion"/>
/// (PyTorch's <c>OneCycleLR</c> cycles <c>betas[0]</c> for optimizers that have betas).
/// </summary>
public interface ICycledMomentum
{
    /// <summary>The momentum or β1 used by the next step.</summary>
    double CycledMomentum { get; set; }
}

/// <summary>Walks an optimizer's state by name (saving or restoring).</summary>
internal interface IStateVisitor
{
    /// <summary>A hyper-parameter fixed at construction; restoring checks that it matches.</summary>
    void Setting(string name, double value);

    /// <summary>A scalar that changes (or may be changed) during a run; restoring overwrites it.</summary>
    void Scalar(string name, ref double value);

    /// <summary>A buffer of <see cref="Optimizer.Dimension"/> values (null before the first step); restoring copies into it.</summary>
    void Buffer(string name, double[]? buffer);
}
