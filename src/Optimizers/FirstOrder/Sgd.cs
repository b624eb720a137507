namespace SymbolicGrad.Optimizers;

/// <summary>
/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and coupled L2
/// weight decay: PyTorch's <c>torch.optim.SGD</c>.
/// </summary>
/// <remarks>
/// <code>
/// g ← ∇f (−∇f if maximize);  if λ ≠ 0: g ← g + λθ
/// if μ ≠ 0:  b ← g at the first step, else b ← μb + (1 − τ)g;   g ← nesterov ? g + μb : b
/// θ ← θ − γg
/// </code>
/// Convention: the learning rate multiplies the buffer when it is applied (b = μb + g; θ −= γb), as in
/// PyTorch. Sutskever et al. write b = μb + γg; θ −= b; the two agree for a constant learning rate and
/// differ once it is scheduled. Dampening is not applied at the first step.
/// </remarks>
public sealed class Sgd : Optimizer, ICycledMomentum
{
    private readonly double[] _hasBuffer;
    private double _momentum;
    private double[]? _buffer;

    /// <summary>Creates the optimizer (PyTorch defaults).</summary>
    /// <param name="learningRate">γ ≥ 0.</param>
    /// <param name="momentum">μ ≥ 0.</param>
    /// <param name="dampening">τ, scales the new gradient into the buffer by 1 − τ.</param>
    /// <param name="weightDecay">λ ≥ 0, coupled L2 added to the gradient.</param>
    /// <param name="nesterov">Nesterov momentum; needs μ &gt; 0 and τ = 0.</param>
    /// <param name="maximize">Ascend instead of descend.</param>
    /// <param name="groups">Parameter groups with their own learning rate, weight decay or momentum; null for one group.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of range (the exception names it).</exception>
    /// <exception cref="ArgumentException">A parameter group is invalid (the exception names it).</exception>
    public Sgd(
        double learningRate = 1e-3,
        double momentum = 0,
        double dampening = 0,
        double weightDecay = 0,
        bool nesterov = false,
        bool maximize = false,
        IReadOnlyList<ParameterGroup>? groups = null)
        : base(learningRate, groups, GroupSettings.WeightDecay | GroupSettings.Momentum)
    {
        _momentum = Guard.NonNegative(momentum, nameof(momentum));
        if (!double.IsFinite(dampening))
        {
            throw new ArgumentOutOfRangeException(nameof(dampening), dampening, "dampening must be finite.");
        }

        WeightDecay = Guard.NonNegative(weightDecay, nameof(weightDecay));
        if (nesterov && momentum <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Nesterov momentum requires momentum > 0.");
        }

        if (nesterov && dampening != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(dampening), dampening, "Nesterov momentum requires dampening = 0.");
        }

        foreach (var group in Groups)
        {
            if (nesterov && group.Definition.Momentum is <= 0)
            {
                throw new ArgumentOutOfRangeException(
                    $"groups[{group.Index}].momentum", group.Definition.Momentum, "Nesterov momentum requires momentum > 0.");
            }
        }

        Dampening = dampening;
        Nesterov = nesterov;
        Maximize = maximize;
        _hasBuffer = new double[Groups.Count];
    }

    /// <summary>μ, the momentum used by the next step for every group without its own (a schedule may change it).</summary>
    public double Momentum
    {
        get => _momentum;
        set
        {
            Guard.NonNegative(value, nameof(Momentum));
            if (Nesterov && value <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(Momentum), value, "Nesterov momentum requires momentum > 0.");
            }

            _momentum = value;
        }
    }

    /// <summary>τ.</summary>
    public double Dampening { get; }

    /// <summary>λ.</summary>
    public double WeightDecay { get; }

    /// <summary>Whether Nesterov momentum is used.</summary>
    public bool Nesterov { get; }

    /// <summary>Whether the optimizer ascends.</summary>
    public bool Maximize { get; }

    double ICycledMomentum.CycledMomentum
    {
        get => Momentum;
        set
        {
            Momentum = value;
            ClearGroupMomentum();
        }
    }

    private protected override void AllocateState(int dimension)
    {
        _buffer = new double[dimension];
        Array.Clear(_hasBuffer);
    }

    private protected override void ReleaseState()
    {
        _buffer = null;
        Array.Clear(_hasBuffer);
    }

    private protected override void Update(Span<double> parameters, ReadOnlySpan<double> gradient, OptimizerGroup group, long t)
    {
        double lr = group.LearningRate, mu = group.CycledMomentum ?? _momentum, wd = group.Definition.WeightDecay ?? WeightDecay;
        double damp = 1 - Dampening;
        bool first = _hasBuffer[group.Index] == 0;
        var b = _buffer.AsSpan(group.Offset, parameters.Length);
        for (int i = 0; i < parameters.Length; i++)
        {
            double g = Maximize ? -gradient[i] : gradient[i];
            if (wd != 0)
            {
                g += wd * parameters[i];
            }

            if (mu != 0)
            {
                b[i] = first ? g : mu * b[i] + damp * g;
                g = Nesterov ? g + mu * b[i] : b[i];
            }

            parameters[i] -= lr * g;
        }

        if (mu != 0)
        {
            _hasBuffer[group.Index] = 1;
        }
    }

    private protected override void VisitState(IStateVisitor visitor)
    {
        visitor.Setting("dampening", Dampening);
        visitor.Setting("weight_decay", WeightDecay);
        visitor.Setting("nesterov", Nesterov ? 1 : 0);
        visitor.Setting("maximize", Maximize ? 1 : 0);
        visitor.Scalar("momentum", ref _momentum);
        foreach (var group in Groups)
        {
            visitor.Scalar(GroupEntry(group, "has_momentum_buffer"), ref _hasBuffer[group.Index]);
        }

        visitor.Buffer("momentum_buffer", _buffer);
    }
}
