"""Pure analytics on price frames: baskets, currency conversion, statistics, page views."""
