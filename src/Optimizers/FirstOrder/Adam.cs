namespace SymbolicGrad.Optimizers;

/// <summary>
/// Adam (Kingma and Ba, 2015) with optional AMSGrad and coupled L2 weight decay: PyTorch's <c>torch.optim.Adam</c>.
/// </summary>
/// <remarks>
/// <code>
/// g ← ∇f (−∇f if maximize);  if λ ≠ 0: g ← g + λθ
/// m ← m + (1 − β1)(g − m);   v ← β2·v + (1 − β2)g²
/// denom = √v / √(1 − β2ᵗ) + ε        (AMSGrad: v_max ← max(v_max, v) and √v_max in place of √v)
/// θ ← θ − γ/(1 − β1ᵗ) · m / denom
/// </code>
/// Conventions: ε is added after the bias correction of the second moment (√v̂ + ε, not √(v̂ + ε) and not
/// √v + ε). AMSGrad takes the maximum of the raw v and divides by the current correction, which is what
/// PyTorch's code has always done (some older texts take the maximum of v̂).
/// </remarks>
public class Adam : Optimizer, ICycledMomentum
{
    private readonly bool _decoupled;
    private double _beta1;
    private double[]? _m;
    private double[]? _v;
    private double[]? _vMax;

    /// <summary>Creates the optimizer (PyTorch defaults).</summary>
    /// <param name="learningRate">γ ≥ 0.</param>
    /// <param name="beta1">β1 ∈ [0, 1), decay of the first moment.</param>
    /// <param name="beta2">β2 ∈ [0, 1), decay of the second moment.</param>
    /// <param name="epsilon">ε ≥ 0, added to the denominator.</param>
    /// <param name="weightDecay">λ ≥ 0, coupled L2 added to the gradient.</param>
    /// <param name="amsgrad">Use the running maximum of the second moment.</param>
    /// <param name="maximize">Ascend instead of descend.</param>
    /// <param name="groups">Parameter groups with their own learning rate, weight decay, β1, β2 or ε; null for one group.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of range (the exception names it).</exception>
    /// <exception cref="ArgumentException">A parameter group is invalid (the exception names it).</exception>
    public Adam(
        double learningRate = 1e-3,
        double beta1 = 0.9,
        double beta2 = 0.999,
        double epsilon = 1e-8,
        double weightDecay = 0,
        bool amsgrad = false,
        bool maximize = false,
        IReadOnlyList<ParameterGroup>? groups = null)
        : this(learningRate, beta1, beta2, epsilon, weightDecay, amsgrad, maximize, decoupled: false, groups)
    {
    }

    private protected Adam(
        double learningRate, double beta1, double beta2, double epsilon, double weightDecay,
        bool amsgrad, bool maximize, bool decoupled, IReadOnlyList<ParameterGroup>? groups)
        : base(learningRate, groups, AdamFamily)
    {
        _beta1 = Guard.InRange(beta1, 0, 1, false, nameof(beta1));
        Beta2 = Guard.InRange(beta2, 0, 1, false, nameof(beta2));
        Epsilon = Guard.NonNegative(epsilon, nameof(epsilon));
        WeightDecay = Guard.NonNegative(weightDecay, nameof(weightDecay));
        AmsGrad = amsgrad;
        Maximize = maximize;
        _decoupled = decoupled;
    }

    /// <summary>β1, used by the next step for every group without its own (a one-cycle schedule may change it).</summary>
    public double Beta1
    {
        get => _beta1;
        set => _beta1 = Guard.InRange(value, 0, 1, false, nameof(Beta1));
    }

    /// <summary>β2.</summary>
    public double Beta2 { get; }

    /// <summary>ε.</summary>
    public double Epsilon { get; }

    /// <summary>λ.</summary>
    public double WeightDecay { get; }

    /// <summary>Whether AMSGrad is used.</summary>
    public bool AmsGrad { get; }

    /// <summary>Whether the optimizer ascends.</summary>
    public bool Maximize { get; }

    double ICycledMomentum.CycledMomentum
    {
        get => Beta1;
        set
        {
            Beta1 = value;
            ClearGroupMomentum();
        }
    }

    /// <summary>The per-group settings of Adam, AdamW, Adamax, NAdam and RAdam.</summary>
    internal const GroupSettings AdamFamily =
        GroupSettings.WeightDecay | GroupSettings.Beta1 | GroupSettings.Beta2 | GroupSettings.Epsilon;

    private protected override void AllocateState(int dimension)
    {
        _m = new double[dimension];
        _v = new double[dimension];
        _vMax = AmsGrad ? new double[dimension] : null;
    }

    private protected override void ReleaseState()
    {
        _m = _v = _vMax = null;
    }

    private protected override void Update(Span<double> parameters, ReadOnlySpan<double> gradient, OptimizerGroup group, long t)
    {
        var settings = group.Definition;
        double lr = group.LearningRate, b1 = group.CycledMomentum ?? _beta1, b2 = settings.Beta2 ?? Beta2;
        double eps = settings.Epsilon ?? Epsilon, wd = settings.WeightDecay ?? WeightDecay;
        double bc1 = 1 - Math.Pow(b1, t);
        double bc2 = 1 - Math.Pow(b2, t);
        double stepSize = lr / bc1;
        double bc2Sqrt = Math.Sqrt(bc2);
        var m = _m.AsSpan(group.Offset, parameters.Length);
        var v = _v.AsSpan(group.Offset, parameters.Length);
        bool amsgrad = _vMax is not null;
        var vMax = amsgrad ? _vMax.AsSpan(group.Offset, parameters.Length) : default;
        for (int i = 0; i < parameters.Length; i++)
        {
            double g = Maximize ? -gradient[i] : gradient[i];
            if (wd != 0)
            {
                if (_decoupled)
                {
                    parameters[i] *= 1 - lr * wd;
                }
                else
                {
                    g += wd * parameters[i];
                }
            }

            m[i] = Elementwise.Lerp(m[i], g, 1 - b1);
            v[i] = v[i] * b2 + (1 - b2) * g * g;
            double second = v[i];
            if (amsgrad)
            {
                vMax[i] = Math.Max(vMax[i], v[i]);
                second = vMax[i];
            }

            double denom = Math.Sqrt(second) / bc2Sqrt + eps;
            parameters[i] += -stepSize * m[i] / denom;
        }
    }

    private protected override void VisitState(IStateVisitor visitor)
    {
        visitor.Setting("beta2", Beta2);
        visitor.Setting("epsilon", Epsilon);
        visitor.Setting("weight_decay", WeightDecay);
        visitor.Setting("amsgrad", AmsGrad ? 1 : 0);
        visitor.Setting("maximize", Maximize ? 1 : 0);
        visitor.Scalar("beta1", ref _beta1);
        visitor.Buffer("exp_avg", _m);
        visitor.Buffer("exp_avg_sq", _v);
        if (AmsGrad)
        {
            visitor.Buffer("max_exp_avg_sq", _vMax);
        }
    }
}

/// <summary>
/// AdamW (Loshchilov and Hutter, 2019): Adam with decoupled weight decay, PyTorch's <c>torch.optim.AdamW</c>.
/// </summary>
/// <remarks>
/// Before the moment updates, θ ← θ(1 − γλ) using θ<sub>t−1</sub>; the decay never enters m or v. The
/// default λ is 1e-2 (Adam's is 0). Convention: the decay is multiplied by the learning rate γ, as in
/// PyTorch and optax; the paper multiplies it only by the schedule multiplier.
/// </remarks>
public sealed class AdamW : Adam
{
    /// <summary>Creates the optimizer (PyTorch defaults).</summary>
    /// <param name="learningRate">γ ≥ 0.</param>
    /// <param name="beta1">β1 ∈ [0, 1).</param>
    /// <param name="beta2">β2 ∈ [0, 1).</param>
    /// <param name="epsilon">ε ≥ 0.</param>
    /// <param name="weightDecay">λ ≥ 0, decoupled.</param>
    /// <param name="amsgrad">Use the running maximum of the second moment.</param>
    /// <param name="maximize">Ascend instead of descend.</param>
    /// <param name="groups">Parameter groups with their own learning rate, weight decay, β1, β2 or ε; null for one group.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of range (the exception names it).</exception>
    /// <exception cref="ArgumentException">A parameter group is invalid (the exception names it).</exception>
    public AdamW(
        double learningRate = 1e-3,
        double beta1 = 0.9,
        double beta2 = 0.999,
        double epsilon = 1e-8,
        double weightDecay = 1e-2,
        bool amsgrad = false,
        bool maximize = false,
        IReadOnlyList<ParameterGroup>? groups = null)
        : base(learningRate, beta1, beta2, epsilon, weightDecay, amsgrad, maximize, decoupled: true, groups)
    {
    }
}
