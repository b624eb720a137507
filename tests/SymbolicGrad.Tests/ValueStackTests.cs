using SymbolicGrad.Internal;

namespace SymbolicGrad.Tests;

/// <summary>The storage generated loop gradients use: LIFO order, trip counts, reservation.</summary>
public class ValueStackTests
{
    /// <summary>Runs the loop the trip count describes and counts its iterations (long, so overflow cannot hide).</summary>
    private static long Simulate(int start, int bound, int step, bool inclusive)
    {
        long trips = 0;
        for (long i = start; step > 0 ? (inclusive ? i <= bound : i < bound) : (inclusive ? i >= bound : i > bound); i += step)
        {
            trips++;
        }

        return trips;
    }

    [Fact]
    public void TripCountsMatchTheLoopsTheyDescribe()
    {
        var random = new Random(7);
        for (int trial = 0; trial < 20_000; trial++)
        {
            int start = random.Next(-60, 61);
            int bound = random.Next(-60, 61);
            int step = random.Next(1, 8) * (random.Next(2) == 0 ? 1 : -1);
            bool inclusive = random.Next(2) == 0;
            Assert.True(
                Simulate(start, bound, step, inclusive) == LoopTrips.Count(start, bound, step, inclusive),
                $"for (i = {start}; i {(step > 0 ? "<" : ">")}{(inclusive ? "=" : "")} {bound}; i += {step})");
        }
    }

    [Fact]
    public void TripCountsAtTheEdgesOfInt()
    {
        Assert.Equal((long)int.MaxValue - int.MinValue, LoopTrips.Count(int.MinValue, int.MaxValue, 1, false));
        Assert.Equal((long)int.MaxValue - int.MinValue + 1, LoopTrips.Count(int.MinValue, int.MaxValue, 1, true));
        Assert.Equal(0, LoopTrips.Count(int.MaxValue, int.MinValue, 1, true));
        Assert.Equal(2, LoopTrips.Count(int.MaxValue, int.MaxValue - 1, -1, true));
    }

    [Fact]
    public void ReserveMakesRoomOnceAndPushesDoNotGrowIt()
    {
        var stack = new ValueStack<double>(16);
        stack.Push(-1);
        stack.Reserve(LoopTrips.Count(0, 1000, 1, false), 3);
        int capacity = stack.Capacity;
        Assert.True(capacity >= 3001, $"capacity {capacity} after reserving 3000 beyond 1 value");
        for (int i = 0; i < 3000; i++)
        {
            stack.Push(i);
        }

        Assert.Equal(capacity, stack.Capacity);
        for (int i = 2999; i >= 0; i--)
        {
            Assert.Equal(i, stack.Pop());
        }

        Assert.Equal(-1, stack.Pop());
        Assert.Equal(0, stack.Count);
        stack.Dispose();
    }

    [Fact]
    public void ReservingForALoopThatDoesNotRunChangesNothing()
    {
        var stack = new ValueStack<int>(16);
        int capacity = stack.Capacity;
        stack.Reserve(LoopTrips.Count(5, 0, 1, false), 4);
        stack.Reserve(-3, 4);
        Assert.Equal(capacity, stack.Capacity);
        stack.Dispose();
    }

    [Fact]
    public void PushesBeyondTheReservationStillGrowAndKeepTheValues()
    {
        var stack = new ValueStack<int>(16);
        stack.Reserve(2, 1);
        for (int i = 0; i < 5000; i++)
        {
            stack.Push(i);
        }

        Assert.Equal(5000, stack.Count);
        for (int i = 4999; i >= 0; i--)
        {
            Assert.Equal(i, stack.Pop());
        }

        stack.Dispose();
    }

    [Fact]
    public void ReservedPushesFillTheRoomAReserveMadeAfterValuesAlreadyThere()
    {
        // As a loop nested in another runs: values below, then a reservation for this entry, then its pushes.
        var stack = new ValueStack<double>(16);
        for (int entry = 0; entry < 40; entry++)
        {
            stack.Push(-entry);
            int trips = entry % 7 * 5;
            stack.Reserve(LoopTrips.Count(0, trips, 1, false), 2);
            for (int i = 0; i < trips; i++)
            {
                stack.PushReserved(entry * 1000 + i);
                stack.PushReserved(-(entry * 1000) - i);
            }
        }

        for (int entry = 39; entry >= 0; entry--)
        {
            for (int i = entry % 7 * 5 - 1; i >= 0; i--)
            {
                Assert.Equal(-(entry * 1000) - i, stack.Pop());
                Assert.Equal(entry * 1000 + i, stack.Pop());
            }

            Assert.Equal(-entry, stack.Pop());
        }

        Assert.Equal(0, stack.Count);
        stack.Dispose();
        Assert.Equal(0, stack.Capacity);
    }

    [Fact]
    public void APushBeyondTheReservedRoomFailsInsteadOfWritingPastIt()
    {
        var stack = new ValueStack<int>(16);
        stack.Reserve(stack.Capacity, 1);
        int capacity = stack.Capacity;
        for (int i = 0; i < capacity; i++)
        {
            stack.PushReserved(i);
        }

        bool threw = false;
        try
        {
            stack.PushReserved(-1);
        }
        catch (IndexOutOfRangeException)
        {
            threw = true;
        }

        Assert.True(threw, "a push past the storage must throw");
        Assert.Equal(capacity - 1, stack.Pop());
        stack.Dispose();
    }

    [Fact]
    public void DisposingADefaultStackIsHarmless()
    {
        var stack = default(ValueStack<double>);
        stack.Dispose();
        Assert.Equal(0, stack.Count);
    }
}
