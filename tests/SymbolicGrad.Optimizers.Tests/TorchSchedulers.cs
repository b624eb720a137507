namespace SymbolicGrad.Optimizers.Tests;

/// <summary>
/// A re-statement of PyTorch's <c>torch/optim/lr_scheduler.py</c> as PyTorch runs it by default: the recursive
/// ("chainable") <c>get_lr</c> of each scheduler, which multiplies the group's current rate, with the constructor's
/// initial step, <c>_is_initial</c>, <c>ChainedScheduler</c> and <c>SequentialLR</c>. It shares no code with the
/// library, whose schedules are closed forms; comparing the two checks the closed forms, the chain and the sequence.
/// </summary>
internal static class TorchSchedulers
{
    /// <summary>A parameter group: its current rate, momentum and initial_lr.</summary>
    public sealed class Group(double lr)
    {
        public double Lr { get; set; } = lr;

        public double? InitialLr { get; set; }

        public double Momentum { get; set; } = double.NaN;
    }

    public abstract class Scheduler
    {
        private int _stepCount;

        protected Scheduler(Group[] groups)
        {
            Groups = groups;
        }

        public Group[] Groups { get; }

        public double[] BaseLrs { get; private set; } = [];

        public int LastEpoch { get; set; } = -1;

        protected bool IsInitial { get; private set; }

        protected int StepCount => _stepCount;

        /// <summary>LRScheduler.__init__ with last_epoch = -1: initial_lr, base_lrs, then _initial_step().</summary>
        protected void Initialize()
        {
            foreach (var g in Groups)
            {
                g.InitialLr ??= g.Lr;
            }

            BaseLrs = Groups.Select(g => g.InitialLr!.Value).ToArray();
            InitialStep();
        }

        public void InitialStep()
        {
            _stepCount = 0;
            IsInitial = true;
            Step();
            IsInitial = false;
        }

        public virtual void Step()
        {
            _stepCount++;
            LastEpoch++;
            Set(GetLr());
        }

        /// <summary>_update_lr(epoch): the closed form at that epoch when the scheduler has one.</summary>
        public void UpdateLrAt(int epoch)
        {
            LastEpoch = epoch;
            Set(ClosedForm() ?? GetLr());
        }

        protected void Set(double[] values)
        {
            for (int i = 0; i < Groups.Length; i++)
            {
                Groups[i].Lr = values[i];
            }
        }

        protected abstract double[] GetLr();

        protected virtual double[]? ClosedForm() => null;

        protected double[] Each(Func<double, double> f) => Groups.Select(g => f(g.Lr)).ToArray();
    }

    public sealed class StepLR : Scheduler
    {
        private readonly int _stepSize;
        private readonly double _gamma;

        public StepLR(Group[] groups, int stepSize, double gamma = 0.1) : base(groups)
        {
            (_stepSize, _gamma) = (stepSize, gamma);
            Initialize();
        }

        protected override double[] GetLr() =>
            LastEpoch == 0 || LastEpoch % _stepSize != 0 ? Each(lr => lr) : Each(lr => lr * _gamma);

        protected override double[]? ClosedForm() => BaseLrs.Select(b => b * Math.Pow(_gamma, LastEpoch / _stepSize)).ToArray();
    }

    public sealed class MultiStepLR : Scheduler
    {
        private readonly int[] _milestones;
        private readonly double _gamma;

        public MultiStepLR(Group[] groups, int[] milestones, double gamma = 0.1) : base(groups)
        {
            (_milestones, _gamma) = (milestones, gamma);
            Initialize();
        }

        protected override double[] GetLr()
        {
            int count = _milestones.Count(m => m == LastEpoch); // Counter(milestones)[last_epoch]
            return count == 0 ? Each(lr => lr) : Each(lr => lr * Math.Pow(_gamma, count));
        }

        protected override double[]? ClosedForm() =>
            BaseLrs.Select(b => b * Math.Pow(_gamma, _milestones.Count(m => m <= LastEpoch))).ToArray();
    }

    public sealed class ConstantLR : Scheduler
    {
        private readonly double _factor;
        private readonly int _totalIters;

        public ConstantLR(Group[] groups, double factor = 1.0 / 3, int totalIters = 5) : base(groups)
        {
            (_factor, _totalIters) = (factor, totalIters);
            Initialize();
        }

        protected override double[] GetLr()
        {
            if (LastEpoch == 0)
            {
                return Each(lr => lr * _factor);
            }

            return LastEpoch != _totalIters ? Each(lr => lr) : Each(lr => lr * (1.0 / _factor));
        }

        protected override double[]? ClosedForm() =>
            BaseLrs.Select(b => b * (_factor + (LastEpoch >= _totalIters ? 1 : 0) * (1 - _factor))).ToArray();
    }

    public sealed class LinearLR : Scheduler
    {
        private readonly double _start, _end;
        private readonly int _totalIters;

        public LinearLR(Group[] groups, double startFactor = 1.0 / 3, double endFactor = 1.0, int totalIters = 5) : base(groups)
        {
            (_start, _end, _totalIters) = (startFactor, endFactor, totalIters);
            Initialize();
        }

        protected override double[] GetLr()
        {
            if (LastEpoch == 0)
            {
                return Each(lr => lr * _start);
            }

            if (IsInitial || LastEpoch > _totalIters)
            {
                return Each(lr => lr);
            }

            return Each(lr => lr * (1.0 + (_end - _start) / (_totalIters * _start + (LastEpoch - 1) * (_end - _start))));
        }

        protected override double[]? ClosedForm() =>
            BaseLrs.Select(b => b * (_start + (_end - _start) * Math.Min(_totalIters, LastEpoch) / _totalIters)).ToArray();
    }

    public sealed class ExponentialLR : Scheduler
    {
        private readonly double _gamma;

        public ExponentialLR(Group[] groups, double gamma) : base(groups)
        {
            _gamma = gamma;
            Initialize();
        }

        protected override double[] GetLr() => IsInitial ? Each(lr => lr) : Each(lr => lr * _gamma);

        protected override double[]? ClosedForm() => BaseLrs.Select(b => b * Math.Pow(_gamma, LastEpoch)).ToArray();
    }

    public sealed class PolynomialLR : Scheduler
    {
        private readonly int _totalIters;
        private readonly double _power;

        public PolynomialLR(Group[] groups, int totalIters = 5, double power = 1.0) : base(groups)
        {
            (_totalIters, _power) = (totalIters, power);
            Initialize();
        }

        protected override double[] GetLr()
        {
            if (IsInitial || LastEpoch > _totalIters)
            {
                return Each(lr => lr);
            }

            double decay = Math.Pow(
                (1.0 - (double)LastEpoch / _totalIters) / (1.0 - (double)(LastEpoch - 1) / _totalIters), _power);
            return Each(lr => lr * decay);
        }

        protected override double[]? ClosedForm() =>
            BaseLrs.Select(b => b * Math.Pow(1.0 - (double)Math.Min(_totalIters, LastEpoch) / _totalIters, _power)).ToArray();
    }

    public sealed class CosineAnnealingLR : Scheduler
    {
        private readonly int _tMax;
        private readonly double _etaMin;

        public CosineAnnealingLR(Group[] groups, int tMax, double etaMin = 0) : base(groups)
        {
            (_tMax, _etaMin) = (tMax, etaMin);
            Initialize();
        }

        protected override double[] GetLr()
        {
            if (IsInitial)
            {
                return Each(lr => lr);
            }

            if (StepCount == 1 && LastEpoch > 0)
            {
                return BaseLrs.Select(b => _etaMin + (b - _etaMin) * (1 + Math.Cos(LastEpoch * Math.PI / _tMax)) / 2).ToArray();
            }

            if ((LastEpoch - 1 - _tMax) % (2 * _tMax) == 0)
            {
                return Groups.Select((g, i) => g.Lr + (BaseLrs[i] - _etaMin) * (1 - Math.Cos(Math.PI / _tMax)) / 2).ToArray();
            }

            return Each(lr => (1 + Math.Cos(Math.PI * LastEpoch / _tMax)) / (1 + Math.Cos(Math.PI * (LastEpoch - 1) / _tMax))
                * (lr - _etaMin) + _etaMin);
        }

        protected override double[]? ClosedForm() =>
            BaseLrs.Select(b => _etaMin + (b - _etaMin) * (1 + Math.Cos(Math.PI * LastEpoch / _tMax)) / 2).ToArray();
    }

    /// <summary>CosineAnnealingWarmRestarts, with its own step(epoch) (fractional epochs included).</summary>
    public sealed class WarmRestarts : Scheduler
    {
        private readonly int _t0, _tMult;
        private readonly double _etaMin;
        private double _tI, _tCur;

        public WarmRestarts(Group[] groups, int t0, int tMult = 1, double etaMin = 0) : base(groups)
        {
            (_t0, _tMult, _etaMin, _tI, _tCur) = (t0, tMult, etaMin, t0, -1);
            Initialize();
        }

        public override void Step() => Step(null);

        public void Step(double? epoch)
        {
            if (epoch is null && LastEpoch < 0)
            {
                epoch = 0;
            }

            if (epoch is null)
            {
                epoch = LastEpoch + 1;
                _tCur += 1;
                if (_tCur >= _tI)
                {
                    _tCur %= _tI;
                    _tI *= _tMult;
                }
            }
            else if (epoch >= _t0)
            {
                if (_tMult == 1)
                {
                    _tCur = epoch.Value % _t0;
                }
                else
                {
                    int n = (int)(Math.Log(epoch.Value / _t0 * (_tMult - 1) + 1) / Math.Log(_tMult));
                    _tCur = epoch.Value - _t0 * (Math.Pow(_tMult, n) - 1) / (_tMult - 1);
                    _tI = _t0 * Math.Pow(_tMult, n);
                }
            }
            else
            {
                _tI = _t0;
                _tCur = epoch.Value;
            }

            LastEpoch = (int)Math.Floor(epoch.Value);
            Set(GetLr());
        }

        protected override double[] GetLr() =>
            BaseLrs.Select(b => _etaMin + (b - _etaMin) * (1 + Math.Cos(Math.PI * _tCur / _tI)) / 2).ToArray();
    }

    public sealed class CyclicLR : Scheduler
    {
        private readonly double _baseLr, _maxLr, _totalSize, _stepRatio, _gamma, _baseMomentum, _maxMomentum;
        private readonly string _mode;
        private readonly bool _cycleMomentum;

        public CyclicLR(Group[] groups, double baseLr, double maxLr, int stepSizeUp, int? stepSizeDown = null, string mode = "triangular",
            double gamma = 1.0, bool cycleMomentum = true, double baseMomentum = 0.8, double maxMomentum = 0.9) : base(groups)
        {
            foreach (var g in groups)
            {
                g.Lr = baseLr;
            }

            double up = stepSizeUp, down = stepSizeDown ?? stepSizeUp;
            (_baseLr, _maxLr, _totalSize, _stepRatio, _mode, _gamma) = (baseLr, maxLr, up + down, up / (up + down), mode, gamma);
            (_cycleMomentum, _baseMomentum, _maxMomentum) = (cycleMomentum, baseMomentum, maxMomentum);
            if (cycleMomentum)
            {
                foreach (var g in groups)
                {
                    g.Momentum = maxMomentum;
                }
            }

            Initialize();
        }

        private double ScaleFn(double x) => _mode switch
        {
            "triangular" => 1.0,
            "triangular2" => 1 / Math.Pow(2.0, x - 1),
            _ => Math.Pow(_gamma, x),
        };

        protected override double[] GetLr()
        {
            double cycle = Math.Floor(1 + LastEpoch / _totalSize);
            double x = 1.0 + LastEpoch / _totalSize - cycle;
            double scale = x <= _stepRatio ? x / _stepRatio : (x - 1) / (_stepRatio - 1);
            double fn = ScaleFn(_mode == "exp_range" ? LastEpoch : cycle);
            double lr = _baseLr + (_maxLr - _baseLr) * scale * fn;
            if (_cycleMomentum)
            {
                double momentum = _maxMomentum - (_maxMomentum - _baseMomentum) * scale * fn;
                foreach (var g in Groups)
                {
                    g.Momentum = momentum;
                }
            }

            return Groups.Select(_ => lr).ToArray();
        }
    }

    /// <summary>ChainedScheduler: the members were constructed (each ran its initial step) on the same groups; step() steps each.</summary>
    public sealed class Chained(params Scheduler[] schedulers)
    {
        public void Step()
        {
            foreach (var s in schedulers)
            {
                s.Step();
            }
        }
    }

    /// <summary>SequentialLR.</summary>
    public sealed class Sequential
    {
        private readonly Scheduler[] _schedulers;
        private readonly int[] _milestones;
        private int _lastEpoch;

        public Sequential(Group[] groups, Scheduler[] schedulers, int[] milestones)
        {
            (_schedulers, _milestones, _lastEpoch) = (schedulers, milestones, 0);
            foreach (var g in groups)
            {
                g.Lr = g.InitialLr!.Value; // reset to initial values
            }

            foreach (var s in schedulers)
            {
                s.LastEpoch -= 1; // recursive_undo
            }

            schedulers[0].InitialStep();
        }

        public void Step()
        {
            _lastEpoch++;
            int idx = _milestones.Count(m => m <= _lastEpoch); // bisect_right
            var scheduler = _schedulers[idx];
            if (idx > 0 && _milestones[idx - 1] == _lastEpoch)
            {
                scheduler.UpdateLrAt(0);
            }
            else
            {
                scheduler.Step();
            }
        }
    }
}
