using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SymbolicGrad.Benchmarks.Tape;

/// <summary>
/// Reverse-mode automatic differentiation with a tape, the classic operator-overloading design, written as a strong
/// baseline: every operation on a <see cref="Var"/> appends one node (at most two parents, and the local partials
/// ∂node/∂parent computed at record time, as Adept and CoDiPack store them); the reverse sweep then walks the tape
/// backwards once, multiply-adding adjoints. Node storage is two flat arrays (nodes, adjoints) that grow when needed
/// and are reused across calls: no allocation per operation or per call in steady state. Constants are node 0, a sink
/// whose adjoint is never read, so recording needs no branch for "is this operand active".
/// </summary>
/// <remarks>
/// One active tape per process (static state, like the global tape of the C++ libraries): single-threaded by design.
/// Use: <see cref="Begin"/>, make inputs with <see cref="Input"/>, evaluate the function on <see cref="Var"/>s, then
/// <see cref="Gradient"/>.
/// </remarks>
public static class Tape
{
    private static Node[] s_nodes = new Node[1024];
    private static double[] s_adjoints = new double[1024];
    private static int s_count = 1;

    /// <summary>The number of nodes recorded since <see cref="Begin"/> (node 0, the constant sink, included).</summary>
    public static int Count => s_count;

    /// <summary>The capacity in nodes the tape has grown to.</summary>
    public static int Capacity => s_nodes.Length;

    /// <summary>Starts a new recording, keeping the storage.</summary>
    public static void Begin() => s_count = 1;

    /// <summary>An independent variable: a node with no parents.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Var Input(double value) => new(value, Push(0, 0.0, 0, 0.0));

    /// <summary>Appends a node with parents <paramref name="a"/> and <paramref name="b"/> and the partials towards them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Push(int a, double da, int b, double db)
    {
        int i = s_count;
        Node[] nodes = s_nodes;
        if ((uint)i >= (uint)nodes.Length)
        {
            nodes = Grow();
        }

        ref Node node = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(nodes), i);
        node.A = a;
        node.B = b;
        node.DA = da;
        node.DB = db;
        s_count = i + 1;
        return i;
    }

    /// <summary>A node with one parent.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Push(int a, double da) => Push(a, da, 0, 0.0);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Node[] Grow()
    {
        Array.Resize(ref s_nodes, s_nodes.Length * 2);
        return s_nodes;
    }

    /// <summary>
    /// The reverse sweep: seeds ∂output/∂output = 1, propagates adjoints from the last node to the first, and writes
    /// ∂output/∂inputs[i] into <paramref name="gradient"/>[i].
    /// </summary>
    public static void Gradient(Var output, ReadOnlySpan<Var> inputs, Span<double> gradient)
    {
        if (gradient.Length != inputs.Length)
        {
            throw new ArgumentException("gradient and inputs differ in length.", nameof(gradient));
        }

        Sweep(output);
        double[] adjointArray = s_adjoints;
        for (int i = 0; i < inputs.Length; i++)
        {
            gradient[i] = adjointArray[inputs[i].Index];
        }
    }

    private static void Sweep(Var output)
    {
        int count = s_count;
        if (s_adjoints.Length < count)
        {
            s_adjoints = new double[s_nodes.Length];
        }

        double[] adjointArray = s_adjoints;
        Array.Clear(adjointArray, 0, count);
        ref double adjoints = ref MemoryMarshal.GetArrayDataReference(adjointArray);
        ref Node nodes = ref MemoryMarshal.GetArrayDataReference(s_nodes);
        Unsafe.Add(ref adjoints, output.Index) = 1.0;
        for (int i = count - 1; i > 0; i--)
        {
            double adjoint = Unsafe.Add(ref adjoints, i);
            ref Node node = ref Unsafe.Add(ref nodes, i);
            Unsafe.Add(ref adjoints, node.A) += node.DA * adjoint;
            Unsafe.Add(ref adjoints, node.B) += node.DB * adjoint;
        }
    }

    /// <summary>
    /// The reverse sweep when the inputs were the first nodes recorded after <see cref="Begin"/> (nodes 1, 2, ...):
    /// writes ∂output/∂input i into <paramref name="gradient"/>[i].
    /// </summary>
    public static void Gradient(Var output, Span<double> gradient)
    {
        Sweep(output);
        s_adjoints.AsSpan(1, gradient.Length).CopyTo(gradient);
    }

    /// <summary>Makes <paramref name="values"/>.Length inputs, nodes 1, 2, ... when called right after <see cref="Begin"/>.</summary>
    public static void Inputs(ReadOnlySpan<double> values, Span<Var> vars)
    {
        for (int i = 0; i < values.Length; i++)
        {
            vars[i] = Input(values[i]);
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Node
    {
        public int A;
        public int B;
        public double DA;
        public double DB;
    }
}
