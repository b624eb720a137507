namespace SymbolicGrad.Optimizers;

/// <summary>RMSprop (Hinton's lecture 6e), PyTorch's <c>torch.optim.RMSprop</c>.</summary>
/// <remarks>
/// <code>
/// g ← ∇f (−∇f if maximize);  if λ ≠ 0: g ← g + λθ
/// v ← αv + (1 − α)g²
/// avg = √(v − ḡ²) + ε with ḡ ← ḡ + (1 − α)(g − ḡ) if centered, else √v + ε
/// μ &gt; 0:  b ← μb + g/avg;  θ ← θ − γb          otherwise  θ ← θ − γ·g/avg
/// </code>
/// Conventions: there is no bias correction and v starts at 0, so the first step is about
/// γ/√(1 − α) ≈ 10γ per coordinate with α = 0.99. ε is outside the square root (TensorFlow puts it
/// inside). The momentum buffer accumulates g/avg without the learning rate.
/// </remarks>
public sealed class RmsProp : Optimizer, ICycledMomentum
{
    private double _momentum;
    private double[]? _squareAvg;
    private double[]? _gradAvg;
    private double[]? _buffer;

    /// <summary>Creates the optimizer (PyTorch defaults).</summary>
    /// <param name="learningRate">γ ≥ 0.</param>
    /// <param name="alpha">α ≥ 0, smoothing constant of the squared-gradient average.</param>
    /// <param name="epsilon">ε ≥ 0.</param>
    /// <param name="weightDecay">λ ≥ 0, coupled L2.</param>
    /// <param name="momentum">μ ≥ 0.</param>
    /// <param name="centered">Normalize by the estimated variance instead of the raw second moment.</param>
    /// <param name="maximize">Ascend instead of descend.</param>
    /// <param name="groups">Parameter groups with their own learning rate, weight decay, momentum or ε; null for one group.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of range (the exception names it).</exception>
    /// <exception cref="ArgumentException">A parameter group is invalid (the exception names it).</exception>
    public RmsProp(
        double learningRate = 1e-2,
        double alpha = 0.99,
        double epsilon = 1e-8,
        double weightDecay = 0,
        double momentum = 0,
        bool centered = false,
        bool maximize = false,
        IReadOnlyList<ParameterGroup>? groups = null)
        : base(learningRate, groups, GroupSettings.WeightDecay | GroupSettings.Momentum | GroupSettings.Epsilon)
    {
        Alpha = Guard.NonNegative(alpha, nameof(alpha));
        Epsilon = Guard.NonNegative(epsilon, nameof(epsilon));
        WeightDecay = Guard.NonNegative(weightDecay, nameof(weightDecay));
        _momentum = Guard.NonNegative(momentum, nameof(momentum));
        Centered = centered;
        Maximize = maximize;
    }

    /// <summary>α.</summary>
    public double Alpha { get; }

    /// <summary>ε.</summary>
    public double Epsilon { get; }

    /// <summary>λ.</summary>
    public double WeightDecay { get; }

    /// <summary>μ, used by the next step for every group without its own (a schedule may change it).</summary>
    public double Momentum
    {
        get => _momentum;
        set => _momentum = Guard.NonNegative(value, nameof(Momentum));
    }

    /// <summary>Whether the centered variant is used.</summary>
    public bool Centered { get; }

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
        _squareAvg = new double[dimension];
        _gradAvg = new double[dimension];
        _buffer = new double[dimension];
    }

    private protected override void ReleaseState() => _squareAvg = _gradAvg = _buffer = null;

    private protected override void Update(Span<double> parameters, ReadOnlySpan<double> gradient, OptimizerGroup group, long t)
    {
        var settings = group.Definition;
        double lr = group.LearningRate, a = Alpha, eps = settings.Epsilon ?? Epsilon, wd = settings.WeightDecay ?? WeightDecay;
        double mu = group.CycledMomentum ?? _momentum;
        var v = _squareAvg.AsSpan(group.Offset, parameters.Length);
        var gAvg = _gradAvg.AsSpan(group.Offset, parameters.Length);
        var b = _buffer.AsSpan(group.Offset, parameters.Length);
        for (int i = 0; i < parameters.Length; i++)
        {
            double g = Maximize ? -gradient[i] : gradient[i];
            if (wd != 0)
            {
                g += wd * parameters[i];
            }

            v[i] = v[i] * a + (1 - a) * g * g;
            double avg;
            if (Centered)
            {
                gAvg[i] = Elementwise.Lerp(gAvg[i], g, 1 - a);
                avg = Math.Sqrt(v[i] + -1 * gAvg[i] * gAvg[i]) + eps;
            }
            else
            {
                avg = Math.Sqrt(v[i]) + eps;
            }

            if (mu > 0)
            {
                b[i] = b[i] * mu + g / avg;
                parameters[i] += -lr * b[i];
            }
            else
            {
                parameters[i] += -lr * g / avg;
            }
        }
    }

    private protected override void VisitState(IStateVisitor visitor)
    {
        visitor.Setting("alpha", Alpha);
        visitor.Setting("epsilon", Epsilon);
        visitor.Setting("weight_decay", WeightDecay);
        visitor.Setting("centered", Centered ? 1 : 0);
        visitor.Setting("maximize", Maximize ? 1 : 0);
        visitor.Scalar("momentum", ref _momentum);
        visitor.Buffer("square_avg", _squareAvg);
        visitor.Buffer("grad_avg", _gradAvg);
        visitor.Buffer("momentum_buffer", _buffer);
    }
}
