#include "core/work_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace pushcap {
namespace {

TEST(WorkQueue, HandsOutItemsInOrderAndDrainsOnClose) {
  WorkQueue<int> q;
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(q.push(i));
  q.close();
  EXPECT_FALSE(q.push(99)) << "a closed queue refuses new items";
  std::vector<int> got;
  while (auto t = q.pop()) {
    got.push_back(t->item);
    q.done(t->weight);
  }
  EXPECT_EQ(got, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ(q.size(), 0u);
}

TEST(WorkQueue, PushBlocksAtCapacityUntilWorkIsDone) {
  WorkQueue<int> q(10);
  ASSERT_TRUE(q.push(1, 6));
  std::atomic<bool> pushed{false};
  std::thread producer([&] {
    q.push(2, 6);  // 6 + 6 > 10: waits for the first to be done
    pushed = true;
  });
  auto first = q.pop();
  ASSERT_TRUE(first);
  // Taken but not done: it still counts, so the producer must still wait.
  EXPECT_FALSE(q.wait_idle_for(std::chrono::milliseconds(50)));
  EXPECT_FALSE(pushed.load());
  q.done(first->weight);
  producer.join();
  EXPECT_TRUE(pushed.load());
  auto second = q.pop();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->item, 2);
  EXPECT_EQ(second->weight, 6u);
  q.done(second->weight);
  EXPECT_TRUE(q.wait_idle_for(std::chrono::seconds(10)));
}

TEST(WorkQueue, AnItemHeavierThanTheCapacityPassesAlone) {
  WorkQueue<int> q(4);
  EXPECT_TRUE(q.push(1, 100)) << "must not block for ever on an empty queue";
  auto t = q.pop();
  ASSERT_TRUE(t);
  q.done(t->weight);
}

TEST(WorkQueue, CancelWakesConsumersAndKeepsWhatIsQueuedForDrain) {
  WorkQueue<int> q;
  std::thread consumer([&] { EXPECT_FALSE(q.pop()); });
  // The consumer may or may not be waiting yet; either way it must return nothing.
  q.cancel();
  consumer.join();
  EXPECT_TRUE(q.wait_cancelled_for(std::chrono::milliseconds(0)));

  WorkQueue<int> r;
  r.push(7, 3);
  r.push(8, 4);
  r.cancel();
  EXPECT_FALSE(r.pop()) << "cancelled: nothing more is handed out";
  auto left = r.drain();
  ASSERT_EQ(left.size(), 2u);
  EXPECT_EQ(left[0].item, 7);
  EXPECT_EQ(left[1].weight, 4u);
  EXPECT_EQ(r.size(), 0u);
}

TEST(WorkQueue, ManyProducersAndConsumersLoseNothing) {
  WorkQueue<int> q(64);
  std::atomic<long> sum{0};
  std::vector<std::thread> consumers;
  for (int c = 0; c < 3; ++c) {
    consumers.emplace_back([&] {
      while (auto t = q.pop()) {
        sum += t->item;
        q.done(t->weight);
      }
    });
  }
  std::vector<std::thread> producers;
  for (int p = 0; p < 3; ++p) {
    producers.emplace_back([&] {
      for (int i = 1; i <= 1000; ++i) q.push(i);
    });
  }
  for (auto& t : producers) t.join();
  q.wait_idle();
  q.close();
  for (auto& t : consumers) t.join();
  EXPECT_EQ(sum.load(), 3L * 1000 * 1001 / 2);
}

}  // namespace
}  // namespace pushcap
