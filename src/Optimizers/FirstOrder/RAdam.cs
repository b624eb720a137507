namespace SymbolicGrad.Optimizers;

/// <summary>Rectified Adam (Liu et al., 2020): PyTorch's <c>torch.optim.RAdam</c>.</summary>
/// <remarks>
/// <code>
/// g ← ∇f (−∇f if maximize);  if λ ≠ 0: θ ← θ(1 − γλ) if decoupled, else g ← g + λθ
/// m ← m + (1 − β1)(g − m);  v ← β2·v + (1 − β2)g²;  m̂ = m/(1 − β1ᵗ)
/// ρ∞ = 2/(1 − β2) − 1;  ρₜ = ρ∞ − 2tβ2ᵗ/(1 − β2ᵗ)
/// ρₜ &gt; 5:  l = √(1 − β2ᵗ)/(√v + ε);  r = √((ρₜ − 4)(ρₜ − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρₜ));  θ ← θ − γ·m̂·r·l
/// else:    θ ← θ − γ·m̂                     (un-adapted momentum SGD; steps 1–5 with β2 = 0.999)
/// </code>
/// Convention: ε is added to the uncorrected √v, unlike Adam where it is added to √v̂. With
/// <c>decoupledWeightDecay</c> the decay is AdamW's (RAdamW, closer to the authors' implementation), multiplied by γ.
/// </remarks>
public sealed class RAdam : Optimizer, ICycledMomentum
{
    private double _beta1;
    private double[]? _m;
    private double[]? _v;

    /// <summary>Creates the optimizer (PyTorch defaults).</summary>
    /// <param name="learningRate">γ ≥ 0.</param>
    /// <param name="beta1">β1 ∈ [0, 1).</param>
    /// <param name="beta2">β2 ∈ [0, 1).</param>
    /// <param name="epsilon">ε ≥ 0.</param>
    /// <param name="weightDecay">λ ≥ 0, coupled L2 (or decoupled, see <paramref name="decoupledWeightDecay"/>).</param>
    /// <param name="decoupledWeightDecay">Decay θ by γλ before the update (AdamW's way) instead of adding λθ to the gradient.</param>
    /// <param name="maximize">Ascend instead of descend.</param>
    /// <param name="groups">Parameter groups with their own learning rate, weight decay, β1, β2 or ε; null for one group.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of range (the exception names it).</exception>
    /// <exception cref="ArgumentException">A parameter group is invalid (the exception names it).</exception>
    public RAdam(
        double learningRate = 1e-3,
        double beta1 = 0.9,
        double beta2 = 0.999,
        double epsilon = 1e-8,
        double weightDecay = 0,
        bool decoupledWeightDecay = false,
        bool maximize = false,
        IReadOnlyList<ParameterGroup>? groups = null)
        : base(learningRate, groups, Adam.AdamFamily)
    {
        _beta1 = Guard.InRange(beta1, 0, 1, false, nameof(beta1));
        Beta2 = Guard.InRange(beta2, 0, 1, false, nameof(beta2));
        Epsilon = Guard.NonNegative(epsilon, nameof(epsilon));
        WeightDecay = Guard.NonNegative(weightDecay, nameof(weightDecay));
        DecoupledWeightDecay = decoupledWeightDecay;
        Maximize = maximize;
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

    /// <summary>Whether the weight decay is decoupled (RAdamW).</summary>
    public bool DecoupledWeightDecay { get; }

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

    private protected override void AllocateState(int dimension)
    {
        _m = new double[dimension];
        _v = new double[dimension];
    }

    private protected override void ReleaseState() => _m = _v = null;

    private protected override void Update(Span<double> parameters, ReadOnlySpan<double> gradient, OptimizerGroup group, long t)
    {
        var settings = group.Definition;
        double lr = group.LearningRate, b1 = group.CycledMomentum ?? _beta1, b2 = settings.Beta2 ?? Beta2;
        double eps = settings.Epsilon ?? Epsilon, wd = settings.WeightDecay ?? WeightDecay;
        double bc1 = 1 - Math.Pow(b1, t);
        double bc2 = 1 - Math.Pow(b2, t);
        double rhoInf = 2 / (1 - b2) - 1;
        double rhoT = rhoInf - 2 * t * Math.Pow(b2, t) / bc2;
        bool rectify = rhoT > 5.0;
        double rect = rectify
            ? Math.Sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT))
            : 0;
        double bc2Sqrt = Math.Sqrt(bc2);
        var m = _m.AsSpan(group.Offset, parameters.Length);
        var v = _v.AsSpan(group.Offset, parameters.Length);
        for (int i = 0; i < parameters.Length; i++)
        {
            double g = Maximize ? -gradient[i] : gradient[i];
            if (wd != 0)
            {
                if (DecoupledWeightDecay)
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
            double mHat = m[i] / bc1;
            if (rectify)
            {
                double adaptive = bc2Sqrt / (Math.Sqrt(v[i]) + eps);
                parameters[i] += -1.0 * (mHat * lr * adaptive * rect);
            }
            else
            {
                parameters[i] += -1.0 * (mHat * lr);
            }
        }
    }

    private protected override void VisitState(IStateVisitor visitor)
    {
        visitor.Setting("beta2", Beta2);
        visitor.Setting("epsilon", Epsilon);
        visitor.Setting("weight_decay", WeightDecay);
        visitor.Setting("decoupled_weight_decay", DecoupledWeightDecay ? 1 : 0);
        visitor.Setting("maximize", Maximize ? 1 : 0);
        visitor.Scalar("beta1", ref _beta1);
        visitor.Buffer("exp_avg", _m);
        visitor.Buffer("exp_avg_sq", _v);
    }
}
