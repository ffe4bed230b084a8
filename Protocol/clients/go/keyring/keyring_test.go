package keyring_test

import (
	"errors"
	"strings"
	"testing"

	"locket"
	"locket/internal/testdaemon"
	"locket/keyring"
)

func use(t *testing.T) {
	daemon := testdaemon.Start(t)
	keyring.UseClient(locket.New(locket.Options{SocketPath: daemon.SocketPath}))
}

func TestSetGetDelete(t *testing.T) {
	use(t)
	if _, err := keyring.Get("my-app", "ada"); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("absent: %v", err)
	}
	if err := keyring.Set("my-app", "ada", "s3cret"); err != nil {
		t.Fatal(err)
	}
	if got, err := keyring.Get("my-app", "ada"); err != nil || got != "s3cret" {
		t.Fatalf("get: %q %v", got, err)
	}
	if err := keyring.Delete("my-app", "ada"); err != nil {
		t.Fatal(err)
	}
	if err := keyring.Delete("my-app", "ada"); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
}

func TestOddNamesAreTheirOwnEntries(t *testing.T) {
	use(t)
	odd := []string{"", "%", "%25", "a\nb", "tab\t", "x\xff"}
	for i, user := range odd {
		if err := keyring.Set("odd\x00service", user, "p"+string(rune('0'+i))); err != nil {
			t.Fatalf("%q: %v", user, err)
		}
	}
	for i, user := range odd {
		if got, err := keyring.Get("odd\x00service", user); err != nil || got != "p"+string(rune('0'+i)) {
			t.Fatalf("%q: %q %v", user, got, err)
		}
	}
	if err := keyring.DeleteAll("odd\x00service"); err != nil {
		t.Fatal(err)
	}
	for _, user := range odd {
		if _, err := keyring.Get("odd\x00service", user); !errors.Is(err, keyring.ErrNotFound) {
			t.Fatalf("after DeleteAll %q: %v", user, err)
		}
	}
}

func TestTooBig(t *testing.T) {
	use(t)
	if err := keyring.Set("big", "user", strings.Repeat("x", 300*1024)); !errors.Is(err, keyring.ErrSetDataTooBig) {
		t.Fatalf("a 300 KiB secret: %v", err)
	}
	if err := keyring.DeleteAll(""); err == nil {
		t.Fatal("DeleteAll of the empty service")
	}
}
