namespace SymbolicGrad.Optimizers;

/// <summary>NAdam, Adam with Nesterov momentum (Dozat, 2016): PyTorch's <c>torch.optim.NAdam</c>.</summary>
/// <remarks>
/// <code>
/// g ← ∇f (−∇f if maximize);  if λ ≠ 0: θ ← θ(1 − γλ) if decoupled, else g ← g + λθ
/// μₜ = β1(1 − ½·0.96^(tψ)),  μₜ₊₁ = β1(1 − ½·0.96^((t+1)ψ)),  Π ← Π·μₜ   (Π₀ = 1)
/// m ← m + (1 − β1)(g − m);   v ← β2·v + (1 − β2)g²;   denom = √(v/(1 − β2ᵗ)) + ε
/// θ ← θ − γ(1 − μₜ)/(1 − Π) · g/denom − γμₜ₊₁/(1 − Π·μₜ₊₁) · m/denom
/// </code>
/// With the default momentum decay ψ = 4e-3, μₜ starts near 0.45, not 0.9: this is the paper's schedule
/// as PyTorch implements it. The product Π is part of the saved state (one per parameter group, since μₜ depends on
/// the group's β1). With <c>decoupledWeightDecay</c> the decay is AdamW's (NAdamW), multiplied by γ.
/// </remarks>
public sealed class NAdam : Optimizer, ICycledMomentum
{
    private readonly double[] _muProduct;
    private double _beta1;
    private double[]? _m;
    private double[]? _v;

    /// <summary>Creates the optimizer (PyTorch defaults).</summary>
    /// <param name="learningRate">γ ≥ 0.</param>
    /// <param name="beta1">β1 ∈ [0, 1).</param>
    /// <param name="beta2">β2 ∈ [0, 1).</param>
    /// <param name="epsilon">ε ≥ 0.</param>
    /// <param name="weightDecay">λ ≥ 0, coupled L2.</param>
    /// <param name="momentumDecay">ψ ≥ 0.</param>
    /// <param name="decoupledWeightDecay">Decay θ by γλ before the update (AdamW's way) instead of adding λθ to the gradient.</param>
    /// <param name="maximize">Ascend instead of descend.</param>
    /// <param name="groups">Parameter groups with their own learning rate, weight decay, β1, β2 or ε; null for one group.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of range (the exception names it).</exception>
    /// <exception cref="ArgumentException">A parameter group is invalid (the exception names it).</exception>
    public NAdam(
        double learningRate = 2e-3,
        double beta1 = 0.9,
        double beta2 = 0.999,
        double epsilon = 1e-8,
        double weightDecay = 0,
        double momentumDecay = 4e-3,
        bool decoupledWeightDecay = false,
        bool maximize = false,
        IReadOnlyList<ParameterGroup>? groups = null)
        : base(learningRate, groups, Adam.AdamFamily)
    {
        _beta1 = Guard.InRange(beta1, 0, 1, false, nameof(beta1));
        Beta2 = Guard.InRange(beta2, 0, 1, false, nameof(beta2));
        Epsilon = Guard.NonNegative(epsilon, nameof(epsilon));
        WeightDecay = Guard.NonNegative(weightDecay, nameof(weightDecay));
        MomentumDecay = Guard.NonNegative(momentumDecay, nameof(momentumDecay));
        DecoupledWeightDecay = decoupledWeightDecay;
        Maximize = maximize;
        _muProduct = new double[Groups.Count];
        Array.Fill(_muProduct, 1.0);
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

    /// <summary>ψ.</summary>
    public double MomentumDecay { get; }

    /// <summary>Whether the weight decay is decoupled (NAdamW).</summary>
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
        Array.Fill(_muProduct, 1.0);
    }

    private protected override void ReleaseState()
    {
        _m = _v = null;
        Array.Fill(_muProduct, 1.0);
    }

    private protected override void Update(Span<double> parameters, ReadOnlySpan<double> gradient, OptimizerGroup group, long t)
    {
        var settings = group.Definition;
        double lr = group.LearningRate, b1 = group.CycledMomentum ?? _beta1, b2 = settings.Beta2 ?? Beta2;
        double eps = settings.Epsilon ?? Epsilon, wd = settings.WeightDecay ?? WeightDecay, psi = MomentumDecay;
        double bc2 = 1 - Math.Pow(b2, t);
        double mu = b1 * (1.0 - 0.5 * Math.Pow(0.96, t * psi));
        double muNext = b1 * (1.0 - 0.5 * Math.Pow(0.96, (t + 1) * psi));
        double muProduct = _muProduct[group.Index] *= mu;
        double muProductNext = muProduct * muNext;
        double gradCoefficient = -lr * (1.0 - mu) / (1.0 - muProduct);
        double momentumCoefficient = -lr * muNext / (1.0 - muProductNext);
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
            double denom = Math.Sqrt(v[i] / bc2) + eps;
            parameters[i] += gradCoefficient * g / denom;
            parameters[i] += momentumCoefficient * m[i] / denom;
        }
    }

    private protected override void VisitState(IStateVisitor visitor)
    {
        visitor.Setting("beta2", Beta2);
        visitor.Setting("epsilon", Epsilon);
        visitor.Setting("weight_decay", WeightDecay);
        visitor.Setting("momentum_decay", MomentumDecay);
        visitor.Setting("decoupled_weight_decay", DecoupledWeightDecay ? 1 : 0);
        visitor.Setting("maximize", Maximize ? 1 : 0);
        visitor.Scalar("beta1", ref _beta1);
        foreach (var group in Groups)
        {
            visitor.Scalar(GroupEntry(group, "mu_product"), ref _muProduct[group.Index]);
        }

        visitor.Buffer("exp_avg", _m);
        visitor.Buffer("exp_avg_sq", _v);
    }
}
