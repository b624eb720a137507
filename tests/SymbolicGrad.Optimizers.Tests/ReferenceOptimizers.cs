namespace SymbolicGrad.Optimizers.Tests;

/// <summary>
/// Independent re-statements of the update rules in <c>optimizer-equations.md</c>, written as directly
/// as possible from the equations (whole-vector, no shared code with the library). They are used only to
/// produce expected values for the first steps.
/// </summary>
internal static class ReferenceOptimizers
{
    /// <summary>A reference optimizer: (θ, g, t) → new θ, with its own captured state.</summary>
    public delegate double[] Rule(double[] theta, double[] grad, int t);

    public static Rule Sgd(double lr, double mu = 0, double tau = 0, double wd = 0, bool nesterov = false, bool maximize = false)
    {
        double[]? b = null;
        return (theta, grad, t) =>
        {
            var g = grad.Select(x => maximize ? -x : x).ToArray();
            g = g.Select((x, i) => x + wd * theta[i]).ToArray();
            if (mu != 0)
            {
                b = t == 1 ? (double[])g.Clone() : b!.Select((bi, i) => mu * bi + (1 - tau) * g[i]).ToArray();
                g = nesterov ? g.Select((x, i) => x + mu * b[i]).ToArray() : (double[])b.Clone();
            }

            return theta.Select((x, i) => x - lr * g[i]).ToArray();
        };
    }

    public static Rule Adam(double lr = 1e-3, double b1 = 0.9, double b2 = 0.999, double eps = 1e-8, double wd = 0,
        bool amsgrad = false, bool maximize = false, bool decoupled = false)
    {
        double[]? m = null, v = null, vmax = null;
        return (theta, grad, t) =>
        {
            int n = theta.Length;
            m ??= new double[n];
            v ??= new double[n];
            vmax ??= new double[n];
            var th = (double[])theta.Clone();
            var g = grad.Select(x => maximize ? -x : x).ToArray();
            if (wd != 0)
            {
                if (decoupled)
                {
                    th = th.Select(x => x * (1 - lr * wd)).ToArray();
                }
                else
                {
                    g = g.Select((x, i) => x + wd * theta[i]).ToArray();
                }
            }

            var result = new double[n];
            for (int i = 0; i < n; i++)
            {
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                vmax[i] = Math.Max(vmax[i], v[i]);
                double bc1 = 1 - Math.Pow(b1, t), bc2 = 1 - Math.Pow(b2, t);
                double denom = Math.Sqrt(amsgrad ? vmax[i] : v[i]) / Math.Sqrt(bc2) + eps;
                result[i] = th[i] - lr / bc1 * m[i] / denom;
            }

            return result;
        };
    }

    public static Rule RmsProp(double lr = 1e-2, double alpha = 0.99, double eps = 1e-8, double wd = 0, double mu = 0, bool centered = false,
        bool maximize = false)
    {
        double[]? v = null, gbar = null, b = null;
        return (theta, grad, t) =>
        {
            int n = theta.Length;
            v ??= new double[n];
            gbar ??= new double[n];
            b ??= new double[n];
            var result = new double[n];
            for (int i = 0; i < n; i++)
            {
                double g = (maximize ? -grad[i] : grad[i]) + wd * theta[i];
                v[i] = alpha * v[i] + (1 - alpha) * g * g;
                double avg;
                if (centered)
                {
                    gbar[i] = alpha * gbar[i] + (1 - alpha) * g;
                    avg = Math.Sqrt(v[i] - gbar[i] * gbar[i]) + eps;
                }
                else
                {
                    avg = Math.Sqrt(v[i]) + eps;
                }

                if (mu > 0)
                {
                    b[i] = mu * b[i] + g / avg;
                    result[i] = theta[i] - lr * b[i];
                }
                else
                {
                    result[i] = theta[i] - lr * g / avg;
                }
            }

            return result;
        };
    }

    public static Rule AdaGrad(double lr = 1e-2, double lrDecay = 0, double wd = 0, double s0 = 0, double eps = 1e-10, bool maximize = false)
    {
        double[]? s = null;
        return (theta, grad, t) =>
        {
            s ??= Enumerable.Repeat(s0, theta.Length).ToArray();
            double clr = lr / (1 + (t - 1) * lrDecay);
            var result = new double[theta.Length];
            for (int i = 0; i < theta.Length; i++)
            {
                double g = (maximize ? -grad[i] : grad[i]) + wd * theta[i];
                s[i] += g * g;
                result[i] = theta[i] - clr * g / (Math.Sqrt(s[i]) + eps);
            }

            return result;
        };
    }

    public static Rule AdaDelta(double lr = 1.0, double rho = 0.9, double eps = 1e-6, double wd = 0, bool maximize = false)
    {
        double[]? v = null, u = null;
        return (theta, grad, t) =>
        {
            v ??= new double[theta.Length];
            u ??= new double[theta.Length];
            var result = new double[theta.Length];
            for (int i = 0; i < theta.Length; i++)
            {
                double g = (maximize ? -grad[i] : grad[i]) + wd * theta[i];
                v[i] = rho * v[i] + (1 - rho) * g * g;
                double delta = Math.Sqrt(u[i] + eps) / Math.Sqrt(v[i] + eps) * g;
                u[i] = rho * u[i] + (1 - rho) * delta * delta;
                result[i] = theta[i] - lr * delta;
            }

            return result;
        };
    }

    public static Rule Adamax(double lr = 2e-3, double b1 = 0.9, double b2 = 0.999, double eps = 1e-8, double wd = 0, bool maximize = false)
    {
        double[]? m = null, u = null;
        return (theta, grad, t) =>
        {
            m ??= new double[theta.Length];
            u ??= new double[theta.Length];
            var result = new double[theta.Length];
            for (int i = 0; i < theta.Length; i++)
            {
                double g = (maximize ? -grad[i] : grad[i]) + wd * theta[i];
                m[i] = b1 * m[i] + (1 - b1) * g;
                u[i] = Math.Max(b2 * u[i], Math.Abs(g) + eps);
                result[i] = theta[i] - lr / (1 - Math.Pow(b1, t)) * m[i] / u[i];
            }

            return result;
        };
    }

    public static Rule NAdam(double lr = 2e-3, double b1 = 0.9, double b2 = 0.999, double eps = 1e-8, double wd = 0, double psi = 4e-3,
        bool decoupled = false, bool maximize = false)
    {
        double[]? m = null, v = null;
        double product = 1;
        return (theta, grad, t) =>
        {
            m ??= new double[theta.Length];
            v ??= new double[theta.Length];
            double muT = b1 * (1 - 0.5 * Math.Pow(0.96, t * psi));
            double muNext = b1 * (1 - 0.5 * Math.Pow(0.96, (t + 1) * psi));
            product *= muT;
            var result = new double[theta.Length];
            for (int i = 0; i < theta.Length; i++)
            {
                double g = maximize ? -grad[i] : grad[i];
                double th = theta[i];
                if (decoupled)
                {
                    th *= 1 - lr * wd;                 // θ ← θ(1 − γλ) before the update (NAdamW)
                }
                else
                {
                    g += wd * theta[i];
                }

                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                double denom = Math.Sqrt(v[i] / (1 - Math.Pow(b2, t))) + eps;
                result[i] = th
                    - lr * (1 - muT) / (1 - product) * g / denom
                    - lr * muNext / (1 - product * muNext) * m[i] / denom;
            }

            return result;
        };
    }

    public static Rule RAdam(double lr = 1e-3, double b1 = 0.9, double b2 = 0.999, double eps = 1e-8, double wd = 0,
        bool decoupled = false, bool maximize = false)
    {
        double[]? m = null, v = null;
        return (theta, grad, t) =>
        {
            m ??= new double[theta.Length];
            v ??= new double[theta.Length];
            double rhoInf = 2 / (1 - b2) - 1;
            double bc2 = 1 - Math.Pow(b2, t);
            double rhoT = rhoInf - 2 * t * Math.Pow(b2, t) / bc2;
            var result = new double[theta.Length];
            for (int i = 0; i < theta.Length; i++)
            {
                double g = maximize ? -grad[i] : grad[i];
                double th = theta[i];
                if (decoupled)
                {
                    th *= 1 - lr * wd;                 // RAdamW
                }
                else
                {
                    g += wd * theta[i];
                }

                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                double mHat = m[i] / (1 - Math.Pow(b1, t));
                if (rhoT > 5)
                {
                    double l = Math.Sqrt(bc2) / (Math.Sqrt(v[i]) + eps);
                    double r = Math.Sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
                    result[i] = th - lr * mHat * r * l;
                }
                else
                {
                    result[i] = th - lr * mHat;
                }
            }

            return result;
        };
    }

    public static Rule Lion(double lr = 1e-4, double b1 = 0.9, double b2 = 0.99, double wd = 1e-3)
    {
        double[]? m = null;
        return (theta, grad, t) =>
        {
            m ??= new double[theta.Length];
            var result = new double[theta.Length];
            for (int i = 0; i < theta.Length; i++)
            {
                double c = b1 * m[i] + (1 - b1) * grad[i];
                double u = Math.Sign(c);
                m[i] = b2 * m[i] + (1 - b2) * grad[i];
                result[i] = theta[i] - lr * (u + wd * theta[i]);
            }

            return result;
        };
    }
}
