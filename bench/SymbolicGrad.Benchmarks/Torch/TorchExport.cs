namespace SymbolicGrad.Benchmarks.Torch;

/// <summary>One parameter tensor of a PyTorch model: the next <c>Π shape</c> entries of the problem's point, row-major.</summary>
/// <param name="Name">The name the script's model reads it by.</param>
/// <param name="Shape">Its shape; empty for a 0-d (scalar) tensor.</param>
public sealed record TorchParameter(string Name, int[] Shape)
{
    public int Length => Shape.Aggregate(1, (a, b) => a * b);
}

/// <summary>A data array handed to the script: float64 or int64 on the PyTorch side.</summary>
public sealed record TorchArray(int[] Shape, double[]? Doubles = null, int[]? Integers = null)
{
    public static TorchArray Of(double[] values, params int[] shape) => new(shape.Length == 0 ? [values.Length] : shape, values);

    public static TorchArray Of(int[] values, params int[] shape) => new(shape.Length == 0 ? [values.Length] : shape, Integers: values);
}

/// <summary>
/// How a problem is written in PyTorch: the model's name in <c>Torch/torch_bench.py</c>, its parameter tensors (which
/// cut the problem's point, in order), its data (the very arrays the C# contenders read) and scalar constants.
/// </summary>
public sealed record TorchExport(
    string Model,
    IReadOnlyList<TorchParameter> Parameters,
    IReadOnlyDictionary<string, TorchArray>? Data = null,
    IReadOnlyDictionary<string, double>? Scalars = null)
{
    /// <summary>A model of scalar (0-d) parameters only, one per name.</summary>
    public static TorchExport Scalars0d(string model, params string[] names) =>
        new(model, names.Select(n => new TorchParameter(n, [])).ToArray());
}
