namespace SymbolicGrad.Samples.LearningRates;

/// <summary>The losses of this sample. The generator writes ParabolaGradient, BowlGradient and their Objective()s.</summary>
public static partial class Losses
{
    /// <summary>The simplest valley: its bottom is at x = 3, its slope is 2·(x − 3).</summary>
    [Differentiable]
    public static double Parabola(double x) => (x - 3) * (x - 3);

    /// <summary>A bowl four times steeper along b than along w: one learning rate has to suit both.</summary>
    [Differentiable]
    public static double Bowl(double w, double b) => w * w + 4 * b * b;
}
