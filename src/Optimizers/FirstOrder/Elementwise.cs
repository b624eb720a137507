namespace SymbolicGrad.Optimizers;

/// <summary>Scalar helpers that reproduce PyTorch's elementwise kernels.</summary>
internal static class Elementwise
{
    /// <summary>torch.lerp(start, end, weight): start + w(end − start) for w &lt; ½, else end − (end − start)(1 − w).</summary>
    public static double Lerp(double start, double end, double weight) =>
        weight < 0.5 ? start + weight * (end - start) : end - (end - start) * (1 - weight);
}
