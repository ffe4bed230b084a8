// Package keyring is go-keyring's API (github.com/zalando/go-keyring) over
// locketd, so a tool can swap its import: Set, Get, Delete, DeleteAll and
// ErrNotFound behave the same. service is the namespace, user the key (both
// escaped with locket.EscapeName, so any string works); the secret is stored
// as a JSON string.
package keyring

import (
	"context"
	"errors"
	"sync"
	"time"

	"locket"
)

// ErrNotFound is returned by Get and Delete when no secret is stored.
var ErrNotFound = errors.New("secret not found in keyring")

// ErrSetDataTooBig is returned by Set when the secret is over the daemon's value limit.
var ErrSetDataTooBig = errors.New("data passed to Set was too big")

var (
	mu     sync.Mutex
	client *locket.Client
)

// Timeout bounds each call (the connect itself is bounded to one second).
var Timeout = 10 * time.Second

// UseClient makes the functions use c (for another socket or timeouts).
func UseClient(c *locket.Client) {
	mu.Lock()
	defer mu.Unlock()
	client = c
}

func shared() *locket.Client {
	mu.Lock()
	defer mu.Unlock()
	if client == nil {
		client = locket.New(locket.Options{})
	}
	return client
}

func names(service, user string) (string, string, error) {
	ns, err := locket.EscapeName(service)
	if err != nil {
		return "", "", err
	}
	key, err := locket.EscapeName(user)
	return ns, key, err
}

func call() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), Timeout)
}

// Set stores secret for user in service.
func Set(service, user, secret string) error {
	ns, key, err := names(service, user)
	if err != nil {
		return err
	}
	ctx, cancel := call()
	defer cancel()
	_, err = shared().PutValue(ctx, ns, key, secret, locket.PutOptions{})
	if errors.Is(err, locket.ErrTooLarge) {
		return ErrSetDataTooBig
	}
	return err
}

// Get is the secret of user in service, or ErrNotFound.
func Get(service, user string) (string, error) {
	ns, key, err := names(service, user)
	if err != nil {
		return "", err
	}
	ctx, cancel := call()
	defer cancel()
	var secret string
	err = shared().GetValue(ctx, ns, key, &secret)
	if errors.Is(err, locket.ErrNotFound) {
		return "", ErrNotFound
	}
	return secret, err
}

// Delete removes the secret of user in service, or returns ErrNotFound.
func Delete(service, user string) error {
	ns, key, err := names(service, user)
	if err != nil {
		return err
	}
	ctx, cancel := call()
	defer cancel()
	deleted, err := shared().Delete(ctx, ns, key, locket.DeleteOptions{})
	if err == nil && !deleted {
		return ErrNotFound
	}
	return err
}

// DeleteAll removes every secret of service.
func DeleteAll(service string) error {
	if service == "" {
		return errors.New("can't delete all when service is empty") // as go-keyring
	}
	ns, err := locket.EscapeName(service)
	if err != nil {
		return err
	}
	ctx, cancel := call()
	defer cancel()
	items, err := shared().List(ctx, ns)
	if err != nil {
		return err
	}
	for _, item := range items {
		if _, err := shared().Delete(ctx, ns, item.Key, locket.DeleteOptions{}); err != nil {
			return err
		}
	}
	return nil
}
