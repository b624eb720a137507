using System.Buffers;
using System.Globalization;
using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace SymbolicGrad.Internal;

/// <summary>
/// The storage generated gradients use for values a loop overwrites: pushed in the forward sweep, popped in
/// reverse order by the reverse sweep. Backed by <see cref="ArrayPool{T}.Shared"/>, so a gradient called
/// repeatedly allocates nothing in steady state. Used by generated code; not meant to be called by hand.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct ValueStack<T>
{
    private T[] _items;
    private int _count;

    /// <summary>Creates a stack with room for <paramref name="capacity"/> values (rented from the shared pool).</summary>
    public ValueStack(int capacity)
    {
        _items = ArrayPool<T>.Shared.Rent(Math.Max(capacity, 16));
        _count = 0;
    }

    /// <summary>The number of values on the stack.</summary>
    public readonly int Count => _count;

    /// <summary>How many values fit before the storage must grow.</summary>
    public readonly int Capacity => _items?.Length ?? 0;

    /// <summary>Pushes a value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push(T value)
    {
        if (_count == _items.Length)
        {
            _items = Resized(_items, _count, (int)Math.Min(Math.Max(16L, 2L * _items.Length), MaxLength));
        }

        _items[_count++] = value;
    }

    /// <summary>
    /// Pushes a value into room a <see cref="Reserve"/> before the loop made: no check for room and no call to grow the
    /// storage in the loop (a call there made the JIT keep the loop's values in memory instead of registers). Room that
    /// was not reserved still fails safely, with <see cref="IndexOutOfRangeException"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PushReserved(T value)
    {
        int count = _count;
        _items[count] = value;
        _count = count + 1;
    }

    /// <summary>
    /// Makes room for a loop about to run: <paramref name="trips"/> iterations pushing <paramref name="perIteration"/>
    /// values each, so the loop never grows the storage while it runs (a loop that exits early only over-reserves).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Reserve(long trips, int perIteration)
    {
        long needed = _count + (Math.Max(trips, 0) * perIteration);
        if (needed > _items.Length)
        {
            _items = Resized(_items, _count, (int)Math.Min(Math.Max(needed, 2L * _items.Length), MaxLength));
        }
    }

    /// <summary>Pops the value pushed last.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Pop() => _items[--_count];

    /// <summary>Returns the storage to the pool.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Dispose()
    {
        Release(_items);
        _items = Array.Empty<T>();
        _count = 0;
    }

    // Array.MaxLength, which netstandard-era APIs do not expose.
    private const int MaxLength = 0x7FFFFFC7;

    // Static, with the stack's fields passed by value: no method outside the generated one takes the stack's address,
    // so the JIT can keep its count and storage in registers.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static T[] Resized(T[] items, int count, int length)
    {
        var bigger = ArrayPool<T>.Shared.Rent(length);
        Array.Copy(items, bigger, count);
        if (items.Length > 0)
        {
            ArrayPool<T>.Shared.Return(items);
        }

        return bigger;
    }

    private static void Release(T[]? items)
    {
        if (items is not null && items.Length > 0)
        {
            ArrayPool<T>.Shared.Return(items);
        }
    }
}

/// <summary>Trip counts of counted loops, computed before they start (to size the storage of generated gradients).</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class LoopTrips
{
    /// <summary>
    /// The number of iterations of <c>for (i = start; i &lt; bound; i += step)</c> (or <c>&lt;=</c> when
    /// <paramref name="inclusive"/>; <c>&gt;</c> and <c>&gt;=</c> when <paramref name="step"/> is negative); zero when
    /// the loop does not run.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Count(int start, int bound, int step, bool inclusive)
    {
        long distance = step > 0 ? (long)bound - start : (long)start - bound;
        long stride = Math.Abs((long)step);
        if (stride == 0)
        {
            return 0;
        }

        return inclusive
            ? (distance < 0 ? 0 : (distance / stride) + 1)
            : (distance <= 0 ? 0 : (distance + stride - 1) / stride);
    }

    /// <summary>
    /// The number of iterations of <c>for (t = start; t &lt; bound; t += step)</c> whose step is a value the loop does not
    /// change (<c>&lt;=</c> when <paramref name="inclusive"/>; <c>&gt;</c> and <c>&gt;=</c> when not
    /// <paramref name="up"/>); zero when the condition is false at the start, whatever the step.
    /// </summary>
    /// <exception cref="InvalidOperationException">The loop runs and its step is zero or points away from the bound: it would not end.</exception>
    /// <exception cref="OverflowException">The counter would pass the end of <see cref="int"/> and wrap around before the condition fails.</exception>
    public static int Stepped(int start, int bound, int step, bool inclusive, bool up)
    {
        bool runs = up ? (inclusive ? start <= bound : start < bound) : (inclusive ? start >= bound : start > bound);
        if (!runs)
        {
            return 0;
        }

        if (up ? step <= 0 : step >= 0)
        {
            throw new InvalidOperationException(
                $"A loop counting {(up ? "up" : "down")} from {start.ToString(CultureInfo.InvariantCulture)} to {bound.ToString(CultureInfo.InvariantCulture)} has step {step.ToString(CultureInfo.InvariantCulture)}, so it would never end: its step must be {(up ? "positive" : "negative")}.");
        }

        long trips = Count(start, bound, step, inclusive);
        long after = start + (trips * step);
        if (trips > int.MaxValue || after > int.MaxValue || after < int.MinValue)
        {
            throw new OverflowException(
                $"A loop counting from {start.ToString(CultureInfo.InvariantCulture)} by {step.ToString(CultureInfo.InvariantCulture)} to {bound.ToString(CultureInfo.InvariantCulture)} passes the end of int: its counter would wrap around.");
        }

        return (int)trips;
    }
}

/// <summary>Adjoint buffers for local arrays of generated gradients, rented from the shared pool and cleared.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class AdjointBuffers
{
    /// <summary>Rents a zeroed buffer of at least <paramref name="length"/> elements.</summary>
    public static T[] Rent<T>(int length)
    {
        var buffer = ArrayPool<T>.Shared.Rent(Math.Max(length, 1));
        Array.Clear(buffer, 0, length);
        return buffer;
    }

    /// <summary>Returns a buffer rented with <see cref="Rent{T}"/>.</summary>
    public static void Return<T>(T[] buffer) => ArrayPool<T>.Shared.Return(buffer);

    /// <summary>Throws the exception generated gradients use for an output span of the wrong length.</summary>
    public static void ThrowLength(string output, int actual, string input, int expected) =>
        throw new ArgumentException(
            $"{output} has length {actual} but {input} has length {expected}: " + Role(output) + (output == "jacobian" ? " must have one entry per residual and parameter." : " must match " + (output == "tangent" ? "the results." : "its parameter.")),
            output);

    /// <summary>
    /// What a generated method's span argument is, from the name the generator gives it: dX a gradient output, vX a
    /// direction (NameTangent, NameHessianVectorProduct), hvX a Hessian-vector product, tangent and jacobian the outputs
    /// of a vector-valued method's NameTangent and NameJacobian.
    /// </summary>
    internal static string Role(string name) => name switch
    {
        "tangent" => "the tangent output",
        "jacobian" => "the Jacobian output",
        _ when name.Length > 2 && name.StartsWith("hv", StringComparison.Ordinal) && char.IsUpper(name[2]) => "the Hessian-vector product",
        _ when name.Length > 1 && name[0] == 'v' && char.IsUpper(name[1]) => "the direction",
        _ => "the gradient output",
    };

    /// <summary>Throws the exception a model's objective uses when a [Trainable] array was replaced or nulled after the objective was made.</summary>
    public static void ThrowModelChanged(string member, int actual, int expected) =>
        throw new InvalidOperationException(
            $"The model's {member} {(actual < 0 ? "is null" : "has length " + actual.ToString(CultureInfo.InvariantCulture))}, but the objective was made when it had length {expected.ToString(CultureInfo.InvariantCulture)}: make the objective again after replacing the array.");

    /// <summary>Throws the exception a generated NameLeastSquares uses when it is asked for no residuals.</summary>
    public static void ThrowNoResiduals(string method, string lengthName, int length) =>
        throw new ArgumentOutOfRangeException(lengthName, length,
            $"{method} needs at least one residual: {lengthName} is the number of residuals it writes, the length of its results span.");

    /// <summary>
    /// The exception a generated NameLeastSquares throws when the method indexed past the end of an array, most often
    /// because it writes more residuals than the count the function was made with; the original is the inner exception.
    /// </summary>
    public static Exception ResidualsOutOfRange(string method, string lengthName, int length, IndexOutOfRangeException inner) =>
        new IndexOutOfRangeException(
            $"{method} indexed past the end of an array with {lengthName} = {length.ToString(CultureInfo.InvariantCulture)}: if it writes more residuals than that, make the function with their number as {lengthName}; otherwise check the other lengths it was made with (those of its array parameters) and the lengths of its data.",
            inner);

    /// <summary>Throws the exception a model's objective factory uses when a [Trainable] array is null when the objective is made.</summary>
    public static void ThrowModelNull(string member) =>
        throw new InvalidOperationException(
            $"The model's {member} is null: a [Trainable] array or matrix must be created (with its length or shape) before the objective is made, which packs it into the vector.");

    /// <summary>Throws the exception a model's objective factory uses when a data array it is given is one of the model's [Trainable] arrays.</summary>
    public static void ThrowDataIsModelMember(string data, string member) =>
        throw new ArgumentException(
            $"{data} is the model's [Trainable] {member}: the objective writes each point into {member}, so {data} would change with the point while it is taken as fixed data. Pass a copy of {member}, or another array.",
            data);

    /// <summary>
    /// Throws when two [Trainable] members of a model are the same array, or share a row (a matrix whose rows are one
    /// array, W = { row, row }): the objective packs each member as coordinates of its own, so the writes of one would
    /// overwrite the other's and the gradient would count the shared values twice. <paramref name="members"/> are the
    /// members' arrays (a jagged one by its rows), <paramref name="names"/> their names.
    /// </summary>
    public static void ThrowIfMembersShare(object?[] members, string[] names)
    {
        var seen = new Dictionary<object, string>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < members.Length; i++)
        {
            if (members[i] is Array[] rows)
            {
                for (int r = 0; r < rows.Length; r++)
                {
                    if (rows[r] is { } row)
                    {
                        Add(row, names[i] + "[" + r.ToString(CultureInfo.InvariantCulture) + "]");
                    }
                }
            }
            else if (members[i] is Array array)
            {
                Add(array, names[i]);
            }
        }

        void Add(Array array, string name)
        {
            // An empty array holds no coordinates: [] and Array.Empty<double>() are one shared instance, packed as nothing.
            if (array.Length == 0)
            {
                return;
            }

            if (seen.TryGetValue(array, out var first))
            {
                throw new InvalidOperationException(
                    $"The model's [Trainable] {first} and {name} are the same array: the objective packs each as coordinates of its own, so the values would be counted twice. Give each member its own array (copy it), or keep one member and read it in both places.");
            }

            seen.Add(array, name);
        }
    }

    /// <summary>The rows of a jagged [Trainable] member as the objective was made with them (references, copied), or null.</summary>
    public static object?[]? RowsOf(Array?[]? member)
    {
        if (member is null)
        {
            return null;
        }

        var rows = new object?[member.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = member[i];
        }

        return rows;
    }

    /// <summary>
    /// Whether a jagged member still has the rows <paramref name="made"/> holds (the same arrays): a row replaced after
    /// the objective was made (W[1] = W[0]) is checked again for sharing (red-team P).
    /// </summary>
    public static bool SameRows(object?[]? made, Array?[]? member)
    {
        if (made is null || member is null)
        {
            return made is null && member is null;
        }

        if (made.Length != member.Length)
        {
            return false;
        }

        for (int i = 0; i < made.Length; i++)
        {
            if (!ReferenceEquals(made[i], member[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Throws the exception a model's objective factory uses when a data argument is, or holds as a row, one of the
    /// model's [Trainable] arrays (LossObjective(new[] { model.W })): see <see cref="ThrowDataIsModelMember"/>.
    /// </summary>
    public static void ThrowIfDataHoldsMember(object? data, string dataName, object? member, string memberName)
    {
        if (HeldMember(data, member) is { } row)
        {
            ThrowDataIsModelMember(row < 0 ? dataName : dataName + "[" + row.ToString(CultureInfo.InvariantCulture) + "]", memberName);
        }
    }

    /// <summary>
    /// Throws when an array-holding field of a model that is not [Trainable] (a view, W2 = W, or a list of layers,
    /// _layers = { W1, W2 }) is, or holds, a [Trainable] array: a gradient reads the field as data, so the member's
    /// reads through it would be constants and their part of the gradient missing. Checked once per call, before the
    /// forward sweep, for each such field the method reads.
    /// </summary>
    public static void ThrowIfFieldHoldsMember(object? field, string fieldName, object? member, string memberName)
    {
        // The rows of a long collection (a training set) are not scanned on every call: a field that holds layers is
        // short, and data rows that are weights are not a thing models do.
        if ((field is Array[] { Length: > FieldRowsChecked } || field is IReadOnlyList<Array> { Count: > FieldRowsChecked }) && !ReferenceEquals(field, member))
        {
            return;
        }

        if (HeldMember(field, member) is { } row)
        {
            throw new InvalidOperationException(
                $"The model's {(row < 0 ? fieldName : fieldName + "[" + row.ToString(CultureInfo.InvariantCulture) + "]")} is its [Trainable] {memberName}: the gradient reads {fieldName} as data, so what it reads of {memberName} through it would be a constant and that part of the gradient missing. Read {memberName} itself (the [Trainable] member), or give {fieldName} a copy.");
        }
    }

    private static double[]? ArrayOf(ReadOnlyMemory<double> memory) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(memory, out var segment) ? segment.Array : null;

    /// <summary>
    /// <see cref="ThrowIfFieldHoldsMember"/> for a field that is a memory (a
    /// ReadOnlyMemory&lt;double&gt; over a [Trainable] array).
    /// </summary>
    public static void ThrowIfMemoryHoldsMember(ReadOnlyMemory<double> field, string fieldName, object? member, string memberName) =>
        ThrowIfFieldHoldsMember((object?)ArrayOf(field), fieldName, member, memberName);

    /// <summary>The most rows of a field <see cref="ThrowIfFieldHoldsMember"/> scans.</summary>
    private const int FieldRowsChecked = 64;

    [ThreadStatic]
    private static HashSet<object>? t_memberArrays;

    /// <summary>−1 when <paramref name="data"/> is the member (or one of its rows), the row of data that is, or null.</summary>
    private static int? HeldMember(object? data, object? member)
    {
        if (data is null || member is null)
        {
            return null;
        }

        var arrays = t_memberArrays ??= new HashSet<object>(ReferenceEqualityComparer.Instance);
        arrays.Clear();
        if (member is not Array { Length: 0 })
        {
            arrays.Add(member);
        }

        if (member is Array[] memberRows)
        {
            foreach (var row in memberRows)
            {
                // Empty rows hold nothing (and [] is one shared instance everywhere).
                if (row is { Length: > 0 })
                {
                    arrays.Add(row);
                }
            }
        }


        try
        {
            if (arrays.Contains(data))
            {
                return -1;
            }

            if (data is Array[] rows)
            {
                for (int r = 0; r < rows.Length; r++)
                {
                    if (rows[r] is { } row && arrays.Contains(row))
                    {
                        return r;
                    }
                }
            }
            else if (data is IReadOnlyList<Array> list)
            {
                // A List<double[]> of layers: indexed, so that no enumerator is allocated.
                for (int r = 0; r < list.Count; r++)
                {
                    if (list[r] is { } row && arrays.Contains(row))
                    {
                        return r;
                    }
                }
            }
            else if (data is ReadOnlyMemory<double> memory)
            {
                // A memory over a member (red-team P): its array.
                return ArrayOf(memory) is { } under && arrays.Contains(under) ? -1 : null;
            }
            else if (data is Memory<double> writable)
            {
                return ArrayOf(writable) is { } under && arrays.Contains(under) ? -1 : null;
            }
            else if (data is System.Runtime.CompilerServices.ITuple tuple)
            {
                // (double[] X, double y) holding a member as an item (red-team P): the item's position.
                for (int r = 0; r < tuple.Length; r++)
                {
                    if (tuple[r] is Array item && arrays.Contains(item))
                    {
                        return r;
                    }
                }
            }

            return null;
        }
        finally
        {
            arrays.Clear();
        }
    }

    /// <summary>Throws the exception generated gradients use when an output overlaps an input.</summary>
    public static void ThrowOverlap(string output, string other) =>
        throw new ArgumentException($"{output} overlaps {other}: " + Role(output) + " must not share memory with the inputs or other outputs.", output);

    /// <summary>
    /// Throws when output <paramref name="outputName"/> shares memory with <paramref name="data"/>, something the method
    /// reads as data that is not an array parameter (a List&lt;double&gt; or IReadOnlyList&lt;double&gt; parameter, a
    /// static field, a model's field that is not [Trainable]): the output is cleared before the forward sweep reads the
    /// data, so the value and the gradient would both be wrong. Sees arrays of any rank, their rows (the first
    /// <see cref="FieldRowsChecked"/>), List&lt;T&gt; and ArraySegment&lt;T&gt;; another collection's storage cannot be
    /// seen.
    /// </summary>
    public static void ThrowIfDataOverlaps<T>(ReadOnlySpan<T> output, string outputName, object? data, string dataName)
    {
        if (!output.IsEmpty && data is not null && SharesMemory(Region.Of(output), data, rows: true))
        {
            ThrowDataOverlap(outputName, dataName);
        }
    }

    /// <summary><see cref="ThrowIfDataOverlaps{T}(ReadOnlySpan{T}, string, object?, string)"/> for data that is a memory.</summary>
    public static void ThrowIfMemoryOverlaps<T, TData>(ReadOnlySpan<T> output, string outputName, ReadOnlyMemory<TData> data, string dataName)
    {
        if (!output.IsEmpty && Region.Of(output).Overlaps(Region.Of(data.Span)))
        {
            ThrowDataOverlap(outputName, dataName);
        }
    }

    /// <summary><see cref="ThrowIfDataOverlaps{T}(ReadOnlySpan{T}, string, object?, string)"/> for a jagged output (each row).</summary>
    public static void ThrowIfDataOverlapsRows<T>(T[]?[]? output, string outputName, object? data, string dataName)
    {
        if (output is null)
        {
            return;
        }

        foreach (var row in output)
        {
            ThrowIfDataOverlaps<T>(row, outputName, data, dataName);
        }
    }

    /// <summary><see cref="ThrowIfMemoryOverlaps{T, TData}"/> for a jagged output (each row).</summary>
    public static void ThrowIfMemoryOverlapsRows<T, TData>(T[]?[]? output, string outputName, ReadOnlyMemory<TData> data, string dataName)
    {
        if (output is null)
        {
            return;
        }

        foreach (var row in output)
        {
            ThrowIfMemoryOverlaps<T, TData>(row, outputName, data, dataName);
        }
    }

    /// <summary>
    /// A range of memory as its first byte and its length in bytes (a nuint: an array of 2 GiB or more has more bytes
    /// than a span can count; red-team J).
    /// </summary>
    private readonly ref struct Region
    {
        private readonly ref byte _start;
        private readonly nuint _bytes;

        private Region(ref byte start, nuint bytes)
        {
            _start = ref start;
            _bytes = bytes;
        }

        public static Region Of<T>(ReadOnlySpan<T> span) =>
            new(ref Unsafe.As<T, byte>(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(span)), (nuint)span.Length * (nuint)Unsafe.SizeOf<T>());

        public static Region Of(Array array, int elementSize) =>
            new(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(array), array.LongLength == 0 ? 0 : (nuint)array.LongLength * (nuint)elementSize);

        /// <summary>Whether the two ranges share a byte (as MemoryExtensions.Overlaps, without its int lengths).</summary>
        public bool Overlaps(Region other)
        {
            if (_bytes == 0 || other._bytes == 0)
            {
                return false;
            }

            nint offset = Unsafe.ByteOffset(ref _start, ref other._start);
            return offset >= 0 ? (nuint)offset < _bytes : (nuint)(-offset) < other._bytes;
        }
    }

    private static bool SharesMemory(Region output, object data, bool rows)
    {
        switch (data)
        {
            case double[] a: return output.Overlaps(Region.Of(a, sizeof(double)));
            case float[] a: return output.Overlaps(Region.Of(a, sizeof(float)));
            case List<double> l: return output.Overlaps(Region.Of<double>(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(l)));
            case List<float> l: return output.Overlaps(Region.Of<float>(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(l)));
            case ArraySegment<double> s: return output.Overlaps(Region.Of<double>(s.AsSpan()));
            case ArraySegment<float> s: return output.Overlaps(Region.Of<float>(s.AsSpan()));
            case Array { Rank: > 1 } m when m.GetType().GetElementType() is { } e && (e == typeof(double) || e == typeof(float)):
                // double[,] and the like: one block of Length elements.
                return output.Overlaps(Region.Of(m, e == typeof(double) ? sizeof(double) : sizeof(float)));
            case Array[] jagged when rows:
                for (int i = 0; i < jagged.Length && i < FieldRowsChecked; i++)
                {
                    if (jagged[i] is { } row && SharesMemory(output, row, rows: false))
                    {
                        return true;
                    }
                }

                return false;
            case IReadOnlyList<Array> list when rows:
                for (int i = 0; i < list.Count && i < FieldRowsChecked; i++)
                {
                    if (list[i] is { } row && SharesMemory(output, row, rows: false))
                    {
                        return true;
                    }
                }

                return false;
            default:
                return false;
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowDataOverlap(string output, string data) =>
        throw new ArgumentException($"{output} overlaps {data}, which the gradient reads as data: {output} is cleared or written before {data} is read, so the results would be wrong. Pass a buffer of its own for {output}.", output);
}

/// <summary>
/// Storage for an array a generated gradient creates (a local <c>new double[n]</c>, a per-iteration scratch array, an
/// adjoint array): one pooled buffer per allocation site, handed out cleared each time the allocation runs. Backed by
/// <see cref="ArrayPool{T}.Shared"/>, so a gradient called repeatedly allocates nothing in steady state.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct ScratchBuffer<T> : IDisposable
{
    private T[]? _items;

    /// <summary>Creates an empty buffer (storage is rented on the first <see cref="Take"/>).</summary>
    public ScratchBuffer()
    {
        _items = null;
    }

    /// <summary>A cleared span of <paramref name="length"/> elements; the previous one from this buffer is reused.</summary>
    /// <exception cref="OverflowException"><paramref name="length"/> is negative (as <c>new T[length]</c> would throw).</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<T> Take(int length)
    {
        if (length < 0)
        {
            throw new OverflowException("Arithmetic operation resulted in an overflow: an array length is negative (" + length + ").");
        }

        if (_items is null || length > _items.Length)
        {
            Grow(length);
        }

        var span = new Span<T>(_items!, 0, length);
        span.Clear();
        return span;
    }

    /// <summary>Returns the storage to the pool.</summary>
    public void Dispose()
    {
        if (_items is { Length: > 0 })
        {
            ArrayPool<T>.Shared.Return(_items);
        }

        _items = null;
    }

    private void Grow(int length)
    {
        if (_items is { Length: > 0 })
        {
            ArrayPool<T>.Shared.Return(_items);
        }

        _items = ArrayPool<T>.Shared.Rent(Math.Max(length, 1));
    }
}

/// <summary>
/// Arrays of exactly the right length for generated objectives whose method takes <c>double[]</c> or <c>Span</c>
/// parameters: the slice of the parameter vector is copied into one of these instead of a new array per evaluation.
/// One set per thread, so objectives evaluated in parallel do not share them, and one per level of nesting on a thread:
/// an objective evaluated while another is running (a custom derivative that fits something with its own generated
/// objective, inside a loss) gets its own set, not the outer one's arguments (red-team H, stop 34: the outer method read
/// the inner fit's last point, silently).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ObjectiveBuffers
{
    [ThreadStatic]
    private static int t_depth;

    [ThreadStatic]
    private static double[]?[]?[]? t_doubles;

    [ThreadStatic]
    private static float[]?[]?[]? t_singles;

    /// <summary>How many evaluations of objectives are running on this thread, one inside another.</summary>
    internal static int Depth => t_depth;

    /// <summary>
    /// Marks the start of an evaluation (<see cref="DifferentiableFunction"/> and <see cref="LeastSquaresFunction"/>
    /// call it around their delegates); pass what it returns to <see cref="Exit"/>, in a finally.
    /// </summary>
    internal static int Enter() => t_depth++;

    /// <summary>Marks the end of the evaluation <see cref="Enter"/> started.</summary>
    internal static void Exit(int depth)
    {
        var models = t_models;
        if (models is not null && (uint)depth < (uint)models.Length)
        {
            models[depth] = null;
        }

        t_depth = depth;
    }

    [ThreadStatic]
    private static object?[]? t_models;

    /// <summary>
    /// Called by a model's generated objective (under its lock, before it writes the vector into the model's
    /// [Trainable] members): throws when an evaluation on the same model is already running further out on this thread,
    /// whose members this one would overwrite (the lock is re-entrant, so it does not stop this; red-team I).
    /// </summary>
    public static void EnterModel(object model)
    {
        int depth = t_depth - 1;
        if (depth < 0)
        {
            return;
        }

        var models = t_models;
        if (models is null || depth >= models.Length)
        {
            Array.Resize(ref models, Math.Max(4, Math.Max(depth + 1, (models?.Length ?? 0) * 2)));
            t_models = models;
        }

        for (int i = 0; i < depth; i++)
        {
            if (ReferenceEquals(models[i], model))
            {
                throw new InvalidOperationException(
                    "An objective of this model was evaluated inside another evaluation on the same model (on this thread): it would write its parameters into the model's [Trainable] members while the outer evaluation reads them, so both results would be wrong. Evaluate the inner objective on a copy of the model.");
            }
        }

        models[depth] = model;
    }

    /// <summary>
    /// True when this thread is inside the evaluation of a model's generated objective (a custom derivative running under
    /// the model's lock, for example). Code that would evaluate objectives on other threads (MultiStart, the sharded
    /// objectives) runs them on this thread instead: another thread would wait for the model's lock, which this thread
    /// holds until the work it waits for is done, a deadlock; on this thread, an evaluation of the same model throws.
    /// </summary>
    public static bool InModelEvaluation
    {
        get
        {
            var models = t_models;
            if (models is null)
            {
                return false;
            }

            int depth = Math.Min(t_depth, models.Length);
            for (int i = 0; i < depth; i++)
            {
                if (models[i] is not null)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>A double[] of exactly <paramref name="length"/> elements for argument slot <paramref name="slot"/> (its contents are overwritten by the caller).</summary>
    public static double[] Doubles(int slot, int length) => Get(ref t_doubles, slot, length);

    /// <summary>A float[] of exactly <paramref name="length"/> elements for argument slot <paramref name="slot"/>.</summary>
    public static float[] Singles(int slot, int length) => Get(ref t_singles, slot, length);

    private static T[] Get<T>(ref T[]?[]?[]? levels, int slot, int length)
    {
        int depth = t_depth;
        levels ??= new T[]?[]?[Math.Max(4, depth + 1)];
        if (depth >= levels.Length)
        {
            Array.Resize(ref levels, Math.Max(depth + 1, levels.Length * 2));
        }

        ref var slots = ref levels[depth];
        slots ??= new T[]?[8];
        if (slot >= slots.Length)
        {
            Array.Resize(ref slots, Math.Max(slot + 1, slots.Length * 2));
        }

        var array = slots[slot];
        if (array is null || array.Length != length)
        {
            array = new T[length];
            slots[slot] = array;
        }

        return array;
    }
}

/// <summary>
/// Views and lengths that a generated reverse sweep recomputes at the top of an iteration although the forward
/// iteration computed them under a branch: on a path where the branch was not taken their operands may be null or out
/// of range, and the view is then never read. These give an empty view (a zero length) there instead of throwing.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class GuardedViews
{
    /// <summary><c>array.AsSpan(start, length)</c>, or an empty span when that would throw.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Span<T> Slice<T>(T[]? array, int start, int length) =>
        array is not null && (uint)start <= (uint)array.Length && (uint)length <= (uint)(array.Length - start) ? array.AsSpan(start, length) : default;

    /// <summary><c>span.Slice(start, length)</c>, or an empty span when that would throw.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Span<T> Slice<T>(Span<T> span, int start, int length) =>
        (uint)start <= (uint)span.Length && (uint)length <= (uint)(span.Length - start) ? span.Slice(start, length) : default;

    /// <summary><c>span.Slice(start, length)</c>, or an empty span when that would throw.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ReadOnlySpan<T> Slice<T>(ReadOnlySpan<T> span, int start, int length) =>
        (uint)start <= (uint)span.Length && (uint)length <= (uint)(span.Length - start) ? span.Slice(start, length) : default;

    /// <summary><c>array.Length</c>, or zero for a null array.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Length(Array? array) => array?.Length ?? 0;

    /// <summary><c>array.GetLength(dimension)</c>, or zero for a null array.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int GetLength(Array? array, int dimension) => array?.GetLength(dimension) ?? 0;
}
